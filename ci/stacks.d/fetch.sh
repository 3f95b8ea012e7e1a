# fetch.sh — fetch one source package version into a scratch directory and
# verify its upstream tarball against the Sources index. Sourced by ci/stacks.

# index_files PKG VERSION prints "URL<TAB>FILE<TAB>SHA256" for every file of
# that version, as the Sources index lists them (Directory, Files,
# Checksums-Sha256) and apt resolves them against the derived sources.
index_files() {
  apt-get -c "$APTCONF" -qq source --print-uris "$1=$2" 2>/dev/null |
    awk -F"'" 'NF >= 3 { split($3, f, " "); h = f[3]; sub(/^SHA256:/, "", h);
                          if (f[3] ~ /^SHA256:/) printf "%s\t%s\t%s\n", $2, f[1], h }'
}

# http_reason LOG: the status of the first failed fetch ("404  Not Found"),
# without the URL (which carries the archive's host name).
http_reason() {
  grep -oE '(Err|E):.*' "$1" | grep -oE '[0-9]{3} +[A-Za-z][A-Za-z ]*' | head -1 | sed 's/  */ /g; s/ *$//'
}

# fetch PKG VERSION DIR sets ORIG, ORIG_SHA256, DEBIAN_TAR (may be empty),
# FETCH_HOW; on failure returns 1 with FETCH_WHY set.
fetch() {
  local pkg=$1 ver=$2 dir=$3 files url file sha why
  ORIG="" ORIG_SHA256="" DEBIAN_TAR="" FETCH_HOW="" FETCH_WHY=""
  mkdir -p "$dir"
  files=$(index_files "$pkg" "$ver")
  if [ -z "$files" ]; then
    FETCH_WHY="not in the Sources index"
    return 1
  fi
  local origline debline
  origline=$(printf '%s\n' "$files" | awk -F'\t' '$2 ~ /\.orig\.tar\.[a-z0-9]+$/' | head -1)
  debline=$(printf '%s\n' "$files" | awk -F'\t' '$2 ~ /\.debian\.tar\.[a-z0-9]+$/' | head -1)
  if [ -z "$origline" ]; then
    FETCH_WHY="the index lists no upstream orig tarball (a native package?)"
    return 1
  fi
  IFS=$'\t' read -r url file sha <<<"$origline"
  # Whatever this directory holds from an earlier attempt is checked again.
  if ( cd "$dir" && apt-get -c "$APTCONF" -q source --download-only "$pkg=$ver" ) >"$dir/fetch.log" 2>&1; then
    FETCH_HOW="apt-get source (.dsc, orig and debian tarballs)"
  else
    why=$(http_reason "$dir/fetch.log")
    # The package as a whole is not there; the orig tarball alone may be.
    rm -f "$dir"/*.dsc
    if [ ! -f "$dir/$file" ] && ! /usr/lib/apt/apt-helper -c "$APTCONF" download-file "$url" "$dir/$file" "SHA256:$sha" \
         >>"$dir/fetch.log" 2>&1; then
      rm -f "$dir/$file"
      FETCH_WHY="apt-get source failed (${why:-see $dir/fetch.log}) and so did the orig tarball alone ($(http_reason "$dir/fetch.log" | tail -1))"
      return 1
    fi
    FETCH_HOW="orig tarball only (apt-get source failed: ${why:-see fetch.log}; no .dsc, no Debian patches)"
    if [ -n "$debline" ]; then
      local du df ds
      IFS=$'\t' read -r du df ds <<<"$debline"
      [ -f "$dir/$df" ] || /usr/lib/apt/apt-helper -c "$APTCONF" download-file "$du" "$dir/$df" "SHA256:$ds" \
        >>"$dir/fetch.log" 2>&1 || rm -f "$dir/$df"
    fi
  fi
  ORIG=$dir/$file
  ORIG_SHA256=$sha
  if [ -n "$debline" ]; then
    local df
    df=$(printf '%s\n' "$debline" | cut -f2)
    [ -f "$dir/$df" ] && DEBIAN_TAR=$dir/$df
  fi
  return 0
}

# verify FILE SHA256: the tarball's checksum against the index's.
verify() {
  local got
  got=$(sha256sum "$1" | cut -d' ' -f1)
  [ "$got" = "$2" ] || { FETCH_WHY="sha256 $got of $(basename "$1") is not the index's $2"; return 1; }
}
