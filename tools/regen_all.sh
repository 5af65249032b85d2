#!/usr/bin/env bash
# Regenerate every fixture under tests/fixtures with the processors' SDKs, then check that nothing
# changed. Needs PyPI (not run in CI). From anywhere:
#
#     bash tools/regen_all.sh            # reuse the venvs if they exist (pip re-checks the pins)
#     bash tools/regen_all.sh --fresh    # delete and recreate the venvs first
#
# One venv per SDK group, $HN_VENV_ROOT/hn-venv-<group> (default /tmp), made with $PYTHON (default
# python3). Each generator's own SDK pins are listed below and must also appear in its docstring
# (checked first). The standard-library generators run with $PYTHON itself. Exit status: 0 when
# every generator listed in JOBS ran and `git diff --exit-code -- tests/fixtures` and `git status --porcelain --
# tests/fixtures` show nothing; 1 otherwise.
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV_ROOT=${HN_VENV_ROOT:-/tmp}
FRESH=0
[[ ${1:-} == --fresh ]] && FRESH=1

# generator  venv-group  the SDK pins it needs ("stdlib": no venv)
JOBS=(
  "gen_fixtures core stripe==16.1.0 standardwebhooks==1.1.0 svix==2.9.1 Adyen==16.0.0 razorpay==2.0.1 paypalrestsdk==1.13.3 pyOpenSSL==24.2.1 cryptography==43.0.3"
  "gen_fixtures_braintree groupa braintree==4.48.0"
  "gen_fixtures_gocardless groupa gocardless-pro==3.22.0"
  "gen_fixtures_paddle groupa paddle-python-sdk==1.16.1"
  "gen_fixtures_square groupa squareup==46.0.0.20260916"
  "gen_fixtures_cashfree groupb cashfree-pg==6.0.1"
  "gen_fixtures_checkout groupb checkout-sdk==4.8.1"
  "gen_fixtures_mercadopago groupb mercadopago==3.6.0"
  "gen_fixtures_mollie groupb mollie-api-py==1.10.20"
  "gen_fixtures_coinbase_commerce coinbase coinbase-commerce==1.0.1"
  "gen_fixtures_nuvei nuvei nuvei==1.0.2"
  "gen_fixtures_paystack paystack pypaystack2==3.4.0"
  "gen_fixtures_worldline connb connect-sdk-python3==6.3.0"
  "gen_fixtures_wise connb cryptography==43.0.3"
  "gen_fixtures_multisafepay connb multisafepay==3.1.0"
  "gen_fixtures_airwallex stdlib"
  "gen_fixtures_authorizenet stdlib"
  "gen_fixtures_bluesnap stdlib"
  "gen_fixtures_novalnet stdlib"
  "gen_fixtures_dlocal stdlib"
  "gen_fixtures_payu stdlib"
  "gen_fixtures_xendit stdlib"
  "gen_fixtures_midtrans stdlib"
  "gen_fixtures_flutterwave stdlib"
  "gen_fixtures_revolut stdlib"
  "gen_fixtures_worldpay stdlib"
  "gen_fixtures_globalpay stdlib"
  "gen_fixtures_zen stdlib"
  "gen_fixtures_trustpay stdlib"
  "gen_fixtures_volt stdlib"
  "gen_fixtures_noon stdlib"
  "gen_fixtures_shift4 stdlib"
  "gen_fixtures_nmi stdlib"
  "gen_fixtures_cybersource stdlib"
  "gen_fixtures_rapyd stdlib"
  "gen_fixtures_payme stdlib"
)

# 1. The pins here are the ones the generators' docstrings name.
declare -A GROUP_PINS=()
for job in "${JOBS[@]}"; do
  read -r gen group pins <<<"$job"
  [[ -f tools/$gen.py ]] || { echo "regen_all: tools/$gen.py is missing" >&2; exit 1; }
  for pin in $pins; do
    grep -qF -- "$pin" "tools/$gen.py" || { echo "regen_all: tools/$gen.py does not name $pin" >&2; exit 1; }
  done
  [[ $group == stdlib ]] || GROUP_PINS[$group]="${GROUP_PINS[$group]:-} $pins"
done

# 2. The venvs, with exactly the pinned SDK versions.
for group in "${!GROUP_PINS[@]}"; do
  venv="$VENV_ROOT/hn-venv-$group"
  if [[ $FRESH == 1 ]]; then rm -rf "$venv"; fi
  [[ -x $venv/bin/python ]] || "$PYTHON" -m venv "$venv"
  echo "== venv $venv:${GROUP_PINS[$group]}"
  # shellcheck disable=SC2086  # the pins are separate words
  "$venv/bin/pip" install --quiet --disable-pip-version-check ${GROUP_PINS[$group]}
  "$venv/bin/pip" freeze --disable-pip-version-check >"$venv/freeze.txt"
done

# 3. Every generator (each checks its fixtures against its oracle before writing them).
failed=()
for job in "${JOBS[@]}"; do
  read -r gen group _ <<<"$job"
  if [[ $group == stdlib ]]; then py=$PYTHON; else py="$VENV_ROOT/hn-venv-$group/bin/python"; fi
  echo "== $gen ($group)"
  # TEST_MODE would switch off the Paddle SDK's replay window.
  env -u TEST_MODE "$py" "tools/$gen.py" || failed+=("$gen")
done

# 4. Byte-identical to the committed fixtures (changed, deleted or new files).
status=0
if ((${#failed[@]})); then
  echo "regen_all: generator(s) failed: ${failed[*]}" >&2
  status=1
fi
if ! git diff --exit-code --stat -- tests/fixtures; then
  echo "regen_all: regenerated fixtures differ from the committed ones (git diff above)" >&2
  status=1
fi
untracked=$(git status --porcelain --untracked-files=all -- tests/fixtures)
if [[ -n $untracked ]]; then
  echo "regen_all: tests/fixtures is not clean:" >&2
  echo "$untracked" >&2
  status=1
fi
if ((status == 0)); then
  echo "regen_all: all ${#JOBS[@]} generators ran; tests/fixtures is byte-identical to the commit"
fi
exit $status
