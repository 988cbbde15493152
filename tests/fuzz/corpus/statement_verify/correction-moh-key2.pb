
01JD3Z6Q8M4T2V5X7Y9A0B1C2D3urn:pressrelay:statement:01JD3Z6Q8M4T2V5X7Y9A0B1C2D (08BÄÃ­nh chÃ­nh sá»‘ liá»‡uJ€íØÀ©Ó:R‰Øbvij>Bá»™ Y táº¿ khuyáº¿n cÃ¡o phÃ²ng, chá»‘ng sá»‘t xuáº¥t huyáº¿tr Diá»‡t lÄƒng quÄƒng, bá» gáº­y.ztTrong mÃ¹a mÆ°a, sá»‘ ca máº¯c sá»‘t xuáº¥t huyáº¿t thÆ°á»ng gia tÄƒng.

1. Äáº­y kÃ­n dá»¥ng cá»¥ chá»©a nÆ°á»›c.‚
healthY táº¿’K
MOHBá»™ Y táº¿moh-nguyen-van-a"Nguyá»…n VÄƒn A*NgÆ°á»i phÃ¡t ngÃ´nš’
https://example.org/a.pdfapplication/pdf0"@2e33d03912c426ad77296bb4b63256440d1fc247a21cbca99ff8e2f35904d21b* Khuyáº¿n cÃ¡o (tá»‡p minh há»a)ªW

MOH-2026-2ed25519@' ®³şé#/Šò!ä‘Å±ìµV;üo“B~ËÈş)UåÍFÜÔ·ÂvM*ZMvwø]†JÖ½£@éÈË