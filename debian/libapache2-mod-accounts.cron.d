# mod_accounts: delete expired digest nonces, keys and tokens every hour.
# Where systemd runs, mod-accounts-purge.timer does it instead.
17 * * * *	root	[ -d /run/systemd/system ] || [ ! -x /usr/libexec/mod_accounts/purge ] || /usr/libexec/mod_accounts/purge
