# The SIP tests start Kamailio, coturn, baresip and liblinphone (Debian
# packages) against the module and its database: not part of `make check`.
# Apache::Test skips a directory whose all.t plans no test; `make
# check-sip` sets ACCOUNTS_SIP=1 and names t/sip.
use strict;
use warnings FATAL => 'all';
use Test::More;

plan skip_all => 'SIP tests: run by make check-sip' unless $ENV{ACCOUNTS_SIP};
plan tests => 1;
ok(1, 'SIP tests enabled');
