
01JD3Z6Q8M4T2V5X7Y9A0B1C2D3urn:pressrelay:statement:01JD3Z6Q8M4T2V5X7Y9A0B1C2D (08JÄÌùÿ¿©”:Rêâûÿbvij>B·ªô Y t·∫ø khuy·∫øn c√°o ph√≤ng, ch·ªëng s·ªët xu·∫•t huy·∫øtr Di·ªát lƒÉng quƒÉng, b·ªç g·∫≠y.ztTrong m√πa m∆∞a, s·ªë ca m·∫Øc s·ªët xu·∫•t huy·∫øt th∆∞·ªùng gia tƒÉng.

1. ƒê·∫≠y k√≠n d·ª•ng c·ª• ch·ª©a n∆∞·ªõc.Ç
healthY t·∫øíK
MOHB·ªô Y t·∫ømoh-nguyen-van-a"Nguy·ªÖn VƒÉn A*Ng∆∞·ªùi ph√°t ng√¥nöí
https://example.org/a.pdfapplication/pdf0"@2e33d03912c426ad77296bb4b63256440d1fc247a21cbca99ff8e2f35904d21b* Khuy·∫øn c√°o (t·ªáp minh h·ªça)™W

MOH-2026-1ed25519@•M %0ªm,ﬁ÷#{.Ÿ?rÀqDî÷I<ù\4`æ1 i˛⁄†ÓËπô\|)ô˝ØÂì%<÷TØM˙◊