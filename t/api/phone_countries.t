# GET /phone_countries (api-lifecycle.md 5.3): the regions of the phone
# metadata, activated by the request Space's AccountsAllowedPhoneCountries
# (space_a: all; space_c: 33 32 1).
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;

plan tests => 15;

reset_db();
my $res = call(space_a => GET => '/api/phone_countries');
is($res->code, 200, 'public: 200 without credentials');
is($res->header('Content-Type'), 'application/json', 'JSON');
my $list = json_of($res);
is(ref $list, 'ARRAY', 'an array');
is(scalar @$list, 242, 'one entry per ISO region with a calling code');
is_deeply([ map { $_->{code} } @$list ], [ sort map { $_->{code} } @$list ], 'ordered by code');
is_deeply([ grep { join(',', sort keys %$_) ne 'activated,code,country_code' } @$list ], [], 'exactly code, country_code, activated');
is_deeply([ grep { $_->{code} !~ /^[A-Z]{2}$/ || $_->{country_code} !~ /^[0-9]{1,3}$/ } @$list ], [],
          'two uppercase letters; the calling code as a string of digits');
like($res->content, qr/"country_code":"33"/, 'calling codes are JSON strings');
my %by = map { $_->{code} => $_ } @$list;
is_deeply([ map { $by{$_}{country_code} } qw(FR NL BE DE GB US CH ES IT) ], [ qw(33 31 32 49 44 1 41 34 39) ],
          'the regions the contract requires, with their calling codes');
is_deeply([ grep { $_->{activated} ne JSON::PP::true() } @$list ], [], 'no AccountsAllowedPhoneCountries: all activated');

my $c = json_of(call(space_c => GET => '/api/phone_countries'));
my %on = map { $_->{code} => 1 } grep { $_->{activated} } @$c;
is_deeply([ sort keys %on ], [ sort map { $_->{code} } grep { $_->{country_code} =~ /^(33|32|1)$/ } @$c ],
          'space_c: exactly the regions of 33, 32 and 1 are activated');
ok($on{FR} && $on{BE} && $on{US} && $on{CA} && $on{PR}, 'FR, BE and every region of +1 (US, CA, PR...)');
ok(!$on{NL} && !$on{DE} && !$on{GF}, 'NL, DE and GF are not');
is(call(space_c => POST => '/api/phone_countries/NL/activate')->code, 404,
   'no activate route: countries are configuration (1.6 item 7)');
is(call(space_c => POST => '/api/phone_countries')->code, 405, 'POST on the list: 405');
