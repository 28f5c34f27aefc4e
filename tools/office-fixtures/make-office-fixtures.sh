#!/usr/bin/env bash
# Regenerates the LibreOffice fixture pair (retrieval/corpus/__fixtures__/office/kessel-valley.pdf and .docx) from
# tools/office-fixtures/kessel-valley.fodt. CI does not install LibreOffice: the committed files are what the tests
# read, and this script is how they were made. On Debian 12:
#
#   apt-get install --no-install-recommends libreoffice-writer-nogui hyphen-en-us
#   tools/office-fixtures/make-office-fixtures.sh
#
# The page breaks depend on the fonts (DejaVu, which Debian's LibreOffice depends on) and on the hyphenation patterns:
# with another LibreOffice or other fonts the pages may break elsewhere, and the tests that name pages say so.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../../retrieval/corpus/__fixtures__/office"
source="$here/kessel-valley.fodt"

if ! command -v soffice >/dev/null; then
  echo "soffice not found: install LibreOffice Writer (apt-get install --no-install-recommends libreoffice-writer-nogui hyphen-en-us)" >&2
  exit 1
fi
if [ ! -e /usr/share/hyphen/hyph_en_US.dic ]; then
  echo "English hyphenation patterns not found (/usr/share/hyphen/hyph_en_US.dic): apt-get install hyphen-en-us" >&2
  exit 1
fi

# A throwaway LibreOffice profile: the conversion does not read or change the user's settings.
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT

mkdir -p "$out"
echo "Converting with $(soffice --version | head -n 1)" >&2
for format in pdf docx; do
  soffice "-env:UserInstallation=file://$profile" --headless --norestore --convert-to "$format" --outdir "$out" "$source" >&2
done
ls -l "$out"/kessel-valley.pdf "$out"/kessel-valley.docx >&2
