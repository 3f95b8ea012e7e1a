# Botan 2 (Debian libbotan-2-dev): C++, found through pkg-config botan-2. Its
# shim (harness/stacks/botan) enables CXX for itself; the C shim code is
# linked in unchanged.
_cabound_pkg(botan botan-2 libbotan-2-dev)
