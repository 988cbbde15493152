
01JD3Z6Q8M4T2V5X7Y9A0B1C2D3urn:pressrelay:statement:01JD3Z6Q8M4T2V5X7Y9A0B1C2D (08J������:R����bvij>Bộ Y tế khuyến cáo phòng, chống sốt xuất huyếtr Diệt lăng quăng, bọ gậy.ztTrong mùa mưa, số ca mắc sốt xuất huyết thường gia tăng.

1. Đậy kín dụng cụ chứa nước.�
healthY tế�K
MOHBộ Y tếmoh-nguyen-van-a"Nguyễn Văn A*Người phát ngôn��
https://example.org/a.pdfapplication/pdf0"@2e33d03912c426ad77296bb4b63256440d1fc247a21cbca99ff8e2f35904d21b* Khuyến cáo (tệp minh họa)