
UBND-HN"vi*\Trả lời báo chí về việc điều chỉnh giờ họp báo định kỳ:uỦy ban nhân dân thành phố Hà Nội trả lời:
	Thời gian họp báo không thay đổi.
B
medtop:07000000
Họp báoJ
VN-HNHà NộiZ3Câu hỏi của báo Tuổi Trẻ ngày 20/11b�������: