# apt.sh — a private apt configuration derived from the machine's own apt
# sources: the same URIs and Signed-By keys, Types deb-src, the newer suite
# names. Nothing here names an archive host; every URI comes from
# /etc/apt/sources.list{,.d}. The system's apt state is never touched: the
# configuration has its own SourceList/SourceParts, lists, cache and status.
# Sourced by ci/stacks (needs CACHE, log, die).

APTDIR=${CABOUND_APTDIR:-$CACHE/apt}
APTCONF=$APTDIR/apt.conf
# The suites to look in, newest last: sid carries the newest upstream
# releases, trixie (Debian 13) the stable ones (OpenSSL 3.5 LTS).
NEWER_SUITES=${CABOUND_SUITES:-trixie sid}

# apt_entries prints "URI<TAB>SUITE<TAB>COMPONENTS<TAB>SIGNED-BY" for every
# binary ("deb") entry of the machine's sources.
apt_entries() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    # one-line style: deb [opt=val ...] URI SUITE COMPONENT...
    awk '
      /^[ \t]*#/ || NF < 3 { next }
      $1 != "deb" { next }
      {
        i = 2; sb = ""
        if ($2 ~ /^\[/) {
          while (i <= NF) {
            o = $i; gsub(/[\[\]]/, "", o)
            if (o ~ /^signed-by=/) { sub(/^signed-by=/, "", o); sb = o }
            if ($i ~ /\]$/) { i++; break }
            i++
          }
        }
        uri = $i; suite = $(i + 1); comps = ""
        for (j = i + 2; j <= NF; j++) comps = comps (comps ? " " : "") $j
        printf "%s\t%s\t%s\t%s\n", uri, suite, comps, sb
      }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # deb822 style: stanzas of "Field: value", blank-line separated.
    awk '
      function flush(   n, i, u, s, us, ss) {
        if (types ~ /(^| )deb( |$)/ && enabled != "no") {
          n = split(uris, us, " "); m = split(suites, ss, " ")
          for (i = 1; i <= n; i++) for (s = 1; s <= m; s++)
            printf "%s\t%s\t%s\t%s\n", us[i], ss[s], comps, sb
        }
        types = uris = suites = comps = sb = enabled = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      /^[A-Za-z-]+:/ {
        key = tolower($1); sub(/:$/, "", key); val = $0; sub(/^[^:]*:[ \t]*/, "", val)
        if (key == "types") types = val
        else if (key == "uris") uris = val
        else if (key == "suites") suites = val
        else if (key == "components") comps = val
        else if (key == "signed-by") sb = val
        else if (key == "enabled") enabled = tolower(val)
      }
      END { flush() }' "$f"
  done
}

# apt_derive writes the deb-src stanzas: the release's own suite becomes each
# newer suite; its -security and -updates suites become the newer stable
# suites' (sid has neither). Other suites (backports, third-party) are left.
apt_derive() {
  local codename
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [ -n "$codename" ] || die setup "no VERSION_CODENAME in /etc/os-release"
  apt_entries | sort -u | while IFS=$'\t' read -r uri suite comps sb; do
    local new="" n
    case $suite in
      "$codename") new=$NEWER_SUITES ;;
      "$codename"-security|"$codename"-updates)
        for n in $NEWER_SUITES; do
          case $n in sid|unstable|experimental) ;; *) new="$new $n-${suite#"$codename"-}" ;; esac
        done ;;
    esac
    [ -n "${new// }" ] || continue
    printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n' "$uri" "${new# }" "$comps"
    [ -z "$sb" ] || printf 'Signed-By: %s\n' "$sb"
    printf '\n'
  done
}

# apt_setup writes the configuration and refreshes the indexes when they are
# older than a day (CABOUND_STACKS_REFRESH=1: always; =0: never).
apt_setup() {
  mkdir -p "$APTDIR/sources" "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial"
  local new
  new=$(apt_derive)
  [ -n "$new" ] || die setup "no entry of the machine's apt sources could be turned into a deb-src entry for: $NEWER_SUITES"
  if [ ! -f "$APTDIR/sources/cabound.sources" ] || [ "$new" != "$(cat "$APTDIR/sources/cabound.sources")" ]; then
    printf '%s\n' "$new" >"$APTDIR/sources/cabound.sources"
    rm -f "$APTDIR/updated"
  fi
  cat >"$APTCONF" <<CONF
Dir::Etc::SourceList "/dev/null";
Dir::Etc::SourceParts "$APTDIR/sources";
Dir::Etc::Preferences "/dev/null";
Dir::Etc::PreferencesParts "$APTDIR/sources";
Dir::State "$APTDIR";
Dir::State::Lists "$APTDIR/lists";
Dir::State::status "/dev/null";
Dir::Cache "$APTDIR/cache";
APT::Sandbox::User "root";
Acquire::Languages "none";
CONF
  local refresh=${CABOUND_STACKS_REFRESH:-}
  if [ "$refresh" = 1 ] || { [ "$refresh" != 0 ] && \
       { [ ! -f "$APTDIR/updated" ] || [ -n "$(find "$APTDIR/updated" -mmin +1440)" ]; }; }; then
    log "apt: updating the source indexes ($NEWER_SUITES)"
    apt-get -c "$APTCONF" -q update >"$APTDIR/update.log" 2>&1 ||
      die setup "apt-get update failed (log: $APTDIR/update.log)"
    if grep -qE '^(W|E): ' "$APTDIR/update.log"; then
      grep -E '^(W|E): ' "$APTDIR/update.log" >&2
    fi
    touch "$APTDIR/updated"
  fi
}

# apt_versions PKG prints PKG's source versions, newest first, once each.
apt_versions() {
  apt-cache -c "$APTCONF" showsrc "$1" 2>/dev/null | awk '/^Package: /{p=$2} /^Version: /{ if (p == "'"$1"'") print $2 }' |
    sort -u | while read -r v; do printf '%s\n' "$v"; done |
    { local vs=(); while read -r v; do vs+=("$v"); done
      # dpkg's ordering (epochs, ~), an insertion sort: the lists are short.
      local i j t n=${#vs[@]}
      for ((i = 1; i < n; i++)); do
        for ((j = i; j > 0; j--)); do
          if dpkg --compare-versions "${vs[j]}" gt "${vs[j-1]}"; then
            t=${vs[j]}; vs[j]=${vs[j-1]}; vs[j-1]=$t
          else break; fi
        done
      done
      [ "$n" -eq 0 ] || printf '%s\n' "${vs[@]}"; }
}

# upstream_of VERSION: 2:3.110-1+deb13u5 -> 3.110
upstream_of() {
  local v=${1#*:}
  printf '%s\n' "${v%-*}"
}
