#!/usr/bin/env bash
# Installs the system packages kamflow needs when they are missing: Graphviz (`dot`), fonts with
# wide Unicode coverage (Latin, CJK, Arabic, emoji) and poppler-utils (the tests turn PDFs into
# PNGs and read their fonts). Uses apt-get on Debian/Ubuntu; elsewhere it says what to install.
set -euo pipefail

debian_packages=(graphviz librsvg2-bin poppler-utils fontconfig fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji)
# Node.js and npm run the exporter tests' real tools (bpmn-moddle, bpmnlint, mermaid from the npm
# registry); a machine that already has them (from any source) keeps its own.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  debian_packages+=(nodejs npm)
fi
# Debian's chromium opens the HTML report in the browser test (headless: screenshot, console errors).
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  debian_packages+=(chromium)
fi

# LibreOffice (headless `soffice --convert-to pdf`) opens the PowerPoint decks and Word reports in
# the tests, as a client's office suite would; kamflow itself never needs it.
if ! command -v soffice >/dev/null 2>&1; then
  debian_packages+=(libreoffice-impress libreoffice-writer)
fi

missing() {
  command -v dot >/dev/null 2>&1 || return 0
  command -v node >/dev/null 2>&1 || return 0
  command -v npm >/dev/null 2>&1 || return 0
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || return 0
  command -v rsvg-convert >/dev/null 2>&1 || return 0
  command -v soffice >/dev/null 2>&1 || return 0
  command -v pdftoppm >/dev/null 2>&1 || return 0
  command -v pdffonts >/dev/null 2>&1 || return 0
  command -v fc-list >/dev/null 2>&1 || return 0
  # Read the font list once: `fc-list | grep -q` under pipefail fails at random when grep stops
  # reading early (fc-list gets SIGPIPE), which made every run reinstall the packages.
  local fonts
  fonts=$(fc-list)
  grep -q "DejaVuSans.ttf" <<<"$fonts" || return 0
  grep -qi "NotoSansCJK" <<<"$fonts" || return 0
  grep -qi "NotoSansArabic" <<<"$fonts" || return 0
  grep -qi "NotoColorEmoji" <<<"$fonts" || return 0
  return 1
}

if ! missing; then
  exit 0
fi

if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "kamflow: installing ${debian_packages[*]} needs root; run 'make' as root or install them yourself" >&2
      exit 1
    fi
  fi
  echo "kamflow: installing system packages: ${debian_packages[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${debian_packages[@]}" >/dev/null
  exit 0
fi

cat >&2 <<'MSG'
kamflow needs Graphviz (the `dot` program), librsvg's `rsvg-convert` (PDF and PNG) and fonts, and
apt-get is not available here. Install them, then run make again:
  Debian/Ubuntu:  apt-get install graphviz librsvg2-bin poppler-utils fonts-dejavu-core fonts-noto-cjk
  Fedora:         dnf install graphviz librsvg2-tools poppler-utils dejavu-sans-fonts google-noto-sans-cjk-fonts
  macOS:          brew install graphviz librsvg poppler
  Windows:        choco install graphviz rsvg-convert   (then put both on PATH)
The tests also use Node.js with npm, Chromium and LibreOffice (Impress and Writer).
MSG
exit 1
