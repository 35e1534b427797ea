# Unique emails and phones under concurrent writes (api.md 6, issue 13
# item 2): of requests racing for one email or one phone in a Space, one
# wins and the others get the 422 validation would have given, in admin
# creation and update alike; exactly one row holds the value.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Accounts::Race;
use JSON::PP ();

plan tests => 23;

reset_db();
my $admin = create_admin('racechief', 'a.test');
my %admin = ('x-api-key' => $admin);

sub count_of { my ($code, @answers) = @_; scalar grep { $_->[0] eq $code } @answers }
# The answers with that status whose JSON body is exactly $body.
sub bodies_of {
    my ($code, $body, @answers) = @_;
    my $want = JSON::PP->new->canonical->encode($body);
    return scalar grep { $_->[0] eq $code
                         && JSON::PP->new->canonical->encode(eval { JSON::PP::decode_json($_->[1]) } // {}) eq $want }
                       @answers;
}
sub taken { my ($field) = @_; +{ message => "The $field has already been taken.",
                                 errors => { $field => [ "The $field has already been taken." ] } } }

my %new = (password => 'secret123', algorithm => 'MD5');
my $ROUNDS = 4;

# $ROUNDS races of 12 requests (a lost race needs two requests to meet in a
# window of about one round trip: several rounds make a check-then-write
# show up every time); $make->($round, $i). Returns one list of answers
# per round.
sub rounds { my ($make) = @_; map { my $round = $_; [ race(12, sub { $make->($round, $_[0]) }) ] } 1 .. $ROUNDS }
sub per_round { my ($f, @rounds) = @_; join ',', map { $f->(@$_) } @rounds }
my $each_one = join ',', (1) x $ROUNDS;
my $each_eleven = join ',', (11) x $ROUNDS;
# How many accounts hold each value, as "1,1,1,1".
sub holders {
    my ($column, $make) = @_;
    join ',', map { my $v = $make->($_);
                    sql_value($column eq 'email' ? "SELECT count(*) FROM accounts WHERE lower(email) = lower('$v')"
                                                 : "SELECT count(*) FROM accounts WHERE phone = '$v'") } 1 .. $ROUNDS;
}
# The statuses of each round, and the bodies of those neither 200 nor 422.
sub diag_rounds {
    my (@rounds) = @_;
    diag(join ' / ', map { join ' ', map { $_->[0] } @$_ } @rounds);
    diag("$_->[0] $_->[1]") for grep { $_->[0] !~ /^(200|422)$/ } map { @$_ } @rounds;
}

# ---- POST /accounts: one email (in several cases), 12 creations -----------------------
my @rounds = rounds(sub { my ($round, $i) = @_;
    (space_a => POST => '/api/accounts', headers => \%admin,
     json => { %new, username => "mailer${round}x$i", email => ($i % 2 ? "Same$round\@Example.org" : "same$round\@example.ORG") }) });
is(per_round(sub { count_of('200', @_) }, @rounds), $each_one, 'one email, 12 admin creations: exactly one 200 (each round)')
    or diag_rounds(@rounds);
is(per_round(sub { bodies_of('422', taken('email'), @_) }, @rounds), $each_eleven, 'the 11 others: the 422 of a taken email');
is(holders(email => sub { "same$_[0]\@example.org" }), $each_one, 'exactly one account has the email');
is(sql_value("SELECT count(*) FROM accounts WHERE username LIKE 'mailer%'"), $ROUNDS, 'and no other account was created');

# ---- POST /accounts: one phone, 12 creations --------------------------------------------
@rounds = rounds(sub { my ($round, $i) = @_;
    (space_a => POST => '/api/accounts', headers => \%admin,
     json => { %new, username => "caller${round}x$i", phone => "+3361212121$round" }) });
is(per_round(sub { count_of('200', @_) }, @rounds), $each_one, 'one phone, 12 admin creations: exactly one 200 (each round)')
    or diag_rounds(@rounds);
is(per_round(sub { bodies_of('422', taken('phone'), @_) }, @rounds), $each_eleven, 'the 11 others: the 422 of a taken phone');
is(holders(phone => sub { "+3361212121$_[0]" }), $each_one, 'exactly one account has the phone');
is(sql_value("SELECT count(*) FROM accounts WHERE username LIKE 'caller%'"), $ROUNDS, 'and no other account was created');

# ---- PUT /accounts/{id}: 12 accounts given one email, then one phone ---------------------
# Distinct accounts per round, so that a winner of one round is not
# updated again by the next.
my @ids = map { my $round = $_; [ map { make_account("putter${round}x$_", 'a.test') } 1 .. 12 ] } 1 .. $ROUNDS;
@rounds = rounds(sub { my ($round, $i) = @_;
    (space_a => PUT => "/api/accounts/$ids[$round - 1][$i - 1]", headers => \%admin,
     json => { %new, username => "putter${round}x$i", email => "put$round\@example.org" }) });
is(per_round(sub { count_of('200', @_) }, @rounds), $each_one, 'one email, 12 updates of 12 accounts: exactly one 200 (each round)')
    or diag_rounds(@rounds);
is(per_round(sub { bodies_of('422', taken('email'), @_) }, @rounds), $each_eleven, 'the 11 others: the 422 of a taken email');
is(holders(email => sub { "put$_[0]\@example.org" }), $each_one, 'exactly one account has the email');
is(sql_value("SELECT count(*) FROM passwords p JOIN accounts a ON a.id = p.account_id WHERE a.username LIKE 'putter%'"),
   $ROUNDS, 'the refused updates wrote nothing (only the winners stored a password)');

# A winner keeps its own email on a later update.
my ($winner) = sql("SELECT id FROM accounts WHERE lower(email) = 'put$ROUNDS\@example.org'");
my ($wname) = sql("SELECT username FROM accounts WHERE id = $winner");
my $res = call(space_a => PUT => "/api/accounts/$winner", headers => \%admin,
               json => { %new, username => $wname, email => "Put$ROUNDS\@Example.org" });
is($res->code, 200, 'an account keeps its own email (another case): 200');

@rounds = rounds(sub { my ($round, $i) = @_;
    (space_a => PUT => "/api/accounts/$ids[$round - 1][$i - 1]", headers => \%admin,
     json => { %new, username => "putter${round}x$i", phone => "+3369876543$round" }) });
is(per_round(sub { count_of('200', @_) }, @rounds), $each_one, 'one phone, 12 updates of 12 accounts: exactly one 200 (each round)')
    or diag_rounds(@rounds);
is(per_round(sub { bodies_of('422', taken('phone'), @_) }, @rounds), $each_eleven, 'the 11 others: the 422 of a taken phone');
is(holders(phone => sub { "+3369876543$_[0]" }), $each_one, 'exactly one account has the phone');

# ---- creations and updates racing for one email ---------------------------------------------
@rounds = rounds(sub { my ($round, $i) = @_;
    $i % 2 ? (space_a => POST => '/api/accounts', headers => \%admin,
              json => { %new, username => "mixer${round}x$i", email => "mixed$round\@example.org" })
           : (space_a => PUT => "/api/accounts/$ids[$round - 1][$i - 1]", headers => \%admin,
              json => { %new, username => "putter${round}x$i", email => "MIXED$round\@example.org" }) });
is(per_round(sub { count_of('200', @_) }, @rounds), $each_one, 'one email, 6 creations and 6 updates: exactly one 200 (each round)')
    or diag_rounds(@rounds);
is(per_round(sub { bodies_of('422', taken('email'), @_) }, @rounds), $each_eleven, 'the 11 others: the 422 of a taken email');
is(holders(email => sub { "mixed$_[0]\@example.org" }), $each_one, 'exactly one account has the email');

# ---- public creation: email and phone are checked but not stored -------------------------------
# (api.md POST /accounts/with-account-creation-token): racing creations
# with one email cannot duplicate it, and each one succeeds.
my (undef, $out) = accountsctl('creation-token', '--space', 'a.test', '--count', 12);
my @tokens = split /\n/, $out;
my @answers = race(12, sub { my ($i) = @_;
    (space_a => POST => '/api/accounts/with-account-creation-token',
     json => { %new, username => "public$i" . 'x', email => 'public@example.org', phone => '+33611223344',
               account_creation_token => $tokens[$i - 1] }) });
is(count_of('200', @answers), 12, 'public creation, one email and phone, 12 tokens: 12 accounts')
    or diag_rounds(\@answers);
is(sql_value("SELECT count(*) FROM accounts WHERE lower(email) = 'public\@example.org' OR phone = '+33611223344'"), 0,
   'none of them stores the email or the phone');

# ---- AccountsEmailUnique Off: the database claims no email -------------------------------------
# (No test Space has it Off: the function is called as the module calls it.)
sub create_with { my ($name, $unique) = @_;
    sql_value("SELECT status FROM accounts_create('a.test', '$name', 0, NULL, 0, 'off\@example.org', NULL, NULL,"
              . " NULL, false, false, '127.0.0.1', NULL, NULL, NULL, NULL, '${name}tok', NULL, NULL, $unique)") }
is(join(',', create_with('offuser1', 'false'), create_with('offuser2', 'false'), create_with('offuser3', 'true')),
   'ok,ok,email_taken', 'with AccountsEmailUnique Off the email may repeat; with On it may not');

# ---- what the race-free path answers, for comparison ----------------------------------------------
$res = call(space_a => POST => '/api/accounts', headers => \%admin,
            json => { %new, username => 'lateone', email => 'SAME1@example.org' });
is_deeply([ $res->code, json_of($res) ], [ 422, taken('email') ], 'without a race: the same 422');
