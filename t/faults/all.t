# The fault tests restart PostgreSQL under traffic and take half a minute:
# not part of `make check`. Apache::Test skips a directory whose all.t
# plans no test; `make check-faults` sets ACCOUNTS_FAULTS=1 and names t/faults.
use strict;
use warnings FATAL => 'all';
use Test::More;

plan skip_all => 'fault tests: run by make check-faults' unless $ENV{ACCOUNTS_FAULTS};
plan tests => 1;
ok(1, 'fault tests enabled');
