# Every field is bounded by the column it is stored in (sql/0001_init.sql):
# a longer value is a 422 that writes nothing, never the database's refusal
# (a 503). Security issue 13, item 7.
use strict;
use warnings FATAL => 'all';
use utf8;
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;

plan tests => 46;

reset_db();
my $admin = create_admin('boundadmin', 'a.test');
sub A { my ($m, $p, %o) = @_; call(space_a => $m, "/api$p", %o, headers => { 'x-api-key' => $admin }) }

# What a write would change: rows of every table an account write touches.
sub rows {
    return sql_value('SELECT (SELECT count(*) FROM accounts) || \' \' || (SELECT count(*) FROM passwords)'
                     . ' || \' \' || (SELECT count(*) FROM account_dictionary_entries)'
                     . ' || \' \' || (SELECT count(*) FROM provisioning_tokens)'
                     . ' || \' \' || (SELECT count(*) FROM account_creation_tokens WHERE used)');
}

sub refusal {
    my ($field, $message) = @_;
    return { message => $message, errors => { $field => [ $message ] } };
}

# A valid number (the digits of +33612121212) padded inside with spaces,
# which the 15-digit rule does not count, to $len characters.
sub spaced_phone { my ($len) = @_; '+33' . (' ' x ($len - 12)) . '612121212' }

my $dictionary = 'The dictionary must be an associative dictionary of strings';
my %too_long = (
    phone => [ spaced_phone(65), refusal(phone => 'The phone may not be greater than 64 characters.') ],
    email => [ 'a@' . ('b' x 254), refusal(email => 'The email may not be greater than 255 characters.') ],
    display_name => [ 'é' x 256, refusal(display_name => 'The display name may not be greater than 255 characters.') ],
    dictionary_key => [ { ('k' x 256) => 'v' }, refusal(dictionary => $dictionary) ],
    dictionary_value => [ { k => ('v' x 256) }, refusal(dictionary => $dictionary) ],
);
my @cases = qw(phone email display_name dictionary_key dictionary_value);
sub field_of { my ($case) = @_; $case =~ /^dictionary/ ? 'dictionary' : $case }

# ---- POST /accounts (5.10) ------------------------------------------------------
my %new = (username => 'bounded1', password => 'secret123', algorithm => 'MD5');
for my $case (@cases) {
    my $before = rows();
    my $res = A(POST => '/accounts', json => { %new, field_of($case) => $too_long{$case}[0] });
    is($res->code, 422, "admin create, over-long $case: 422");
    is_deeply(json_of($res), $too_long{$case}[1], '  the max message');
    is(rows(), $before, '  nothing written');
}

# At the columns' lengths, everything is stored as sent.
my $fits = { %new, phone => spaced_phone(64), email => 'a@' . ('b' x 253), display_name => 'é' x 255,
             dictionary => { ('k' x 255) => 'v' x 255 } };
my $res = A(POST => '/accounts', json => $fits);
is($res->code, 200, 'admin create, every field at its column length: 200');
my $id = json_of($res)->{id};
is_deeply([ sql("SELECT phone, email, length(display_name) FROM accounts WHERE id = $id") ],
          [ join('|', $fits->{phone}, $fits->{email}, 255) ], '  stored as sent');
is(sql_value("SELECT length(key) || ' ' || length(value) FROM account_dictionary_entries WHERE account_id = $id"),
   '255 255', '  and the dictionary entry');

# ---- PUT /accounts/{id} (5.11) ----------------------------------------------------
my $account = sub { sql_value("SELECT row(a.*)::text FROM accounts a WHERE id = $id") };
my $stored = $account->();
for my $case (@cases) {
    my $before = rows();
    my $res = A(PUT => "/accounts/$id", json => { %new, field_of($case) => $too_long{$case}[0] });
    is($res->code, 422, "admin update, over-long $case: 422");
    is_deeply(json_of($res), $too_long{$case}[1], '  the max message');
    is(rows() . $account->(), $before . $stored, '  nothing written, the account unchanged');
}

# ---- POST /accounts/with-account-creation-token (5.1) ---------------------------------
# phone, email and dictionary are validated there though not stored;
# display_name is not a parameter of this endpoint.
my (undef, $token) = accountsctl('creation-token', '--space', 'a.test');
chomp $token;
my %public = (username => 'public1', password => 'secret123', algorithm => 'MD5', account_creation_token => $token);
for my $case (grep { $_ ne 'display_name' } @cases) {
    my $before = rows();
    my $res = call(space_a => POST => '/api/accounts/with-account-creation-token',
                   json => { %public, field_of($case) => $too_long{$case}[0] });
    is($res->code, 422, "public create, over-long $case: 422");
    is_deeply(json_of($res), $too_long{$case}[1], '  the max message');
    is(rows(), $before, '  nothing written, the token unused');
}
$res = call(space_a => POST => '/api/accounts/with-account-creation-token',
            json => { %public, phone => '+33' . ('-' x 52) . '612121212' });
is($res->code, 200, 'public create, a phone of 64 characters: 200 (the token was still usable)');
