# BearSSL 0.6 (Debian libbearssl-dev): no pkg-config module, so found by its
# header and library name (-lbearssl).
_cabound_manual(bearssl bearssl.h libbearssl-dev "" "" bearssl)
