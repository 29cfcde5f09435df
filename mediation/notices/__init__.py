"""Decision notices: the letter with the rights and timescales of SEND Regulations 2014 reg 32."""
