
MOH"vi*jBộ Y tế khuyến cáo người dân chủ động phòng, chống sốt xuất huyết trong mùa mưa2gBộ Y tế đề nghị người dân diệt lăng quăng, bọ gậy, ngủ màn kể cả ban ngày.:�Trong mùa mưa, số ca mắc sốt xuất huyết thường gia tăng tại nhiều địa phương.

1. Đậy kín tất cả các dụng cụ chứa nước.
2. Ngủ màn kể cả ban ngày.
B
healthY tếB&
sot-xuat-huyetSốt xuất huyếtR�
Ehttps://example.org/pressrelay-demo/moh-khuyen-cao-sot-xuat-huyet.pdfapplication/pdf0"@2e33d03912c426ad77296bb4b63256440d1fc247a21cbca99ff8e2f35904d21b*EKhuyến cáo phòng, chống sốt xuất huyết (tệp minh họa)