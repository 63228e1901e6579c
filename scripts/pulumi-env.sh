# Source me: `source scripts/pulumi-env.sh`, then run `pulumi preview` / `pulumi up` by hand with
# the repository's offline engine (the same settings as scripts/pulumiEngine.ts `pulumiEnv`):
# local file backend, isolated PULUMI_HOME, no update checks, no plugin downloads.
# Build the engine first with `bash scripts/setup.sh`.
_pfsense_ha_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
export PATH="$_pfsense_ha_root/.tools/pulumi/bin:$_pfsense_ha_root/node_modules/.bin:$PATH"
export PULUMI_BACKEND_URL="file://$_pfsense_ha_root/.pulumi-state"
mkdir -p "$_pfsense_ha_root/.pulumi-state"
export PULUMI_HOME="$_pfsense_ha_root/.tools/pulumi-home"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-pfsense-ha-demo}"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
unset _pfsense_ha_root
