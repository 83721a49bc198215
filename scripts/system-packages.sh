#!/usr/bin/env bash
# The Debian/Ubuntu packages the PDF report needs, installed with apt-get when missing:
#   libpango-1.0-0 libpangoft2-1.0-0  Pango, which WeasyPrint lays text out with
#   fonts-dejavu-core                 DejaVu Sans: every Russian and Kazakh letter, «», №, —, ₸
#   libharfbuzz-subset0               HarfBuzz's font subsetter (without it WeasyPrint falls back
#                                     to fontTools: 0.6 s more for the demo's largest report)
# and, with --test, what only the tests need:
#   poppler-utils                     pdfinfo, pdftotext, pdffonts, pdftoppm, pdfimages for the PDF tests
#   chromium                          a real headless browser for the reviewers' index test
#   libreoffice-writer-nogui          soffice, to lay report.docx out as Word would (about a minute
#                                     to install, ~200 MB; its tests are skipped without it)
# Installs only as root or with password-less sudo, never asking; otherwise says what to run.
# Run by scripts/env.sh (so by demo.sh), and with --test by test.sh and .ci/run.
set -uo pipefail
PACKAGES=(fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
[ "${1:-}" = "--test" ] && PACKAGES+=(poppler-utils chromium libreoffice-writer-nogui)

if ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  exit 0  # not Debian-like: README.md "PDF" names what to install
fi
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg -s "$package" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "The PDF report needs these Debian packages, which are not installed: ${missing[*]}" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 0
fi
echo "installing Debian packages for the PDF report: ${missing[*]}" >&2
if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; then
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 ||
    { echo "could not install ${missing[*]} with apt-get" >&2; exit 1; }
fi
