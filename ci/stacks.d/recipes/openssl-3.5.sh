# OpenSSL 3.5 LTS (trixie): the same options as openssl.sh (Debian's 3.5.x
# debian/rules has the same CONFARGS).
. "$here/stacks.d/recipes/openssl.sh"
SERIES='^3\.5\.'
