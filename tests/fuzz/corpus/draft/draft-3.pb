
MOFA"en*9Regular press briefing of the Ministry of Foreign Affairs:.The briefing takes place at 15:00 on Thursday.J
VN-HNHa Noi