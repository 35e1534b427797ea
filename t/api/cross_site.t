# Cross-site request forgery through the x-api-key cookie (issue 13, item 1):
# a request authenticated by the cookie alone is refused when another site
# made the browser send it (Sec-Fetch-Site cross-site/same-site, or an
# Origin of another host): 403, nothing written. The header form (how
# Linphone clients call) is unaffected. The cookie is SameSite=Strict.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;

plan tests => 26;

reset_db();
my $admin_key = create_admin('boss', 'a.test', '--password', 'boss-secret-1');
make_account('victim', 'a.test', realm => 'global.realm.test', passwords => { MD5 => 'victim-pass' });
# A user key, as a browser gets it: GET /accounts/me/api_key (here by digest).
my ($kres) = digest_call(space_a => GET => '/api/accounts/me/api_key', username => 'victim', domain => 'a.test',
                         password => 'victim-pass', algorithm => 'MD5');
my $user_key = $kres->content;
remember_secret($user_key);
my $host = do { my $u = space_url('space_a'); $u =~ s{^http://}{}; $u };
my $accounts = sub { sql_value('SELECT count(*) FROM accounts') };
my $refused = '403 {"message":"Cross-site request refused"}';

# ---- an HTML form on another site posting to POST /accounts with the admin's cookie ----
my $before = $accounts->();
my %evil_form = ('Content-Type' => 'application/x-www-form-urlencoded', Origin => 'https://evil.example',
                 'Sec-Fetch-Site' => 'cross-site', Cookie => "x-api-key=$admin_key");
my $res = call(space_a => POST => '/api/accounts', headers => \%evil_form,
               body => 'username=mallory&password=mallory-pw-1&algorithm=MD5&admin=1');
is($res->code . ' ' . $res->content, $refused, 'urlencoded form POST from another site: 403');
is($accounts->(), $before, 'no account created');

# enctype="text/plain" with a JSON-looking body: the body is refused first
# (bodies are read before authentication), and would be refused anyway.
$res = call(space_a => POST => '/api/accounts', body => '{"username":"mallory","password":"mallory-pw-1","algorithm":"MD5","admin":true,"x":"=1"}',
            headers => { 'Content-Type' => 'text/plain', Origin => 'http://evil.example', Cookie => "x-api-key=$admin_key" });
is($res->code, 415, 'text/plain form with a JSON body from another site: 415, not read as JSON');
is($accounts->(), $before, 'no account created');
$res = call(space_a => POST => '/api/accounts/1/block', headers => { Origin => 'http://evil.example', Cookie => "x-api-key=$admin_key" });
is($res->code . ' ' . $res->content, $refused, 'a bodiless POST with an Origin of another host (no fetch metadata): 403');

# The same from the API's own origin still needs application/json (415 otherwise).
$res = call(space_a => POST => '/api/accounts', body => '{"username":"mallory","password":"mallory-pw-1","algorithm":"MD5"}',
            headers => { 'Content-Type' => 'text/plain', Origin => "http://$host", 'Sec-Fetch-Site' => 'same-origin',
                         Cookie => "x-api-key=$admin_key" });
is($res->code, 415, 'a text/plain body from the own origin: 415, not parsed as JSON');
is($accounts->(), $before, 'no account created');

# ---- a cross-site GET attaching the attacker's auth token to the victim ---------------
my $token = json_of(call(space_a => POST => '/api/accounts/auth_token'))->{token};
for my $case ([ { 'Sec-Fetch-Site' => 'cross-site' }, 'Sec-Fetch-Site: cross-site (an <img> on evil.example)' ],
              [ { 'Sec-Fetch-Site' => 'same-site' }, 'Sec-Fetch-Site: same-site (a sibling subdomain)' ],
              [ { Origin => 'null' }, 'Origin: null (a sandboxed frame)' ],
              [ { Origin => 'http://' . ($host =~ s/:.*//r) . '.evil.example' }, 'an Origin whose host only starts like ours' ],
              [ { Origin => 'http://evil.example', 'Sec-Fetch-Site' => 'same-origin' }, 'same-origin metadata but a foreign Origin' ]) {
    $res = call(space_a => GET => "/api/accounts/auth_token/$token/attach",
                headers => { %{ $case->[0] }, Cookie => "x-api-key=$user_key" });
    is($res->code . ' ' . $res->content, $refused, "$case->[1]: 403");
}
is(sql_value("SELECT count(*) FROM auth_tokens WHERE account_id IS NOT NULL"), 0, 'the token is attached to nobody');
$res = call(space_a => GET => "/api/accounts/me/api_key/$token");
is($res->code, 404, 'so the attacker gets no key for the victim');

# GET /accounts/me/api_key mints a key (and drops the current one): a state change too.
$res = call(space_a => GET => '/api/accounts/me/api_key',
            headers => { 'Sec-Fetch-Site' => 'cross-site', Cookie => "x-api-key=$user_key" });
is($res->code . ' ' . $res->content, $refused, 'cross-site GET /accounts/me/api_key: 403');
is(call(space_a => GET => '/api/accounts/me', headers => { 'x-api-key' => $user_key })->code, 200,
   'the victim keeps the key it had');

# ---- what stays allowed ------------------------------------------------------------------
$res = call(space_a => GET => "/api/accounts/auth_token/$token/attach",
            headers => { 'Sec-Fetch-Site' => 'same-origin', Origin => "http://$host", Cookie => "x-api-key=$user_key" });
is($res->code, 200, 'the same request from the own origin (fetch metadata and Origin): 200');
$res = call(space_a => GET => '/api/accounts/me', headers => { 'Sec-Fetch-Site' => 'none', Cookie => "x-api-key=$user_key" });
is($res->code, 200, 'Sec-Fetch-Site: none (typed in the address bar): 200');
$res = call(space_a => GET => '/api/accounts/me', headers => { Cookie => "x-api-key=$user_key" });
is($res->code, 200, 'the cookie from a client without Origin or fetch metadata (curl): 200');
$res = call(space_a => GET => '/api/accounts/me', headers => { Origin => uc("http://$host"), Cookie => "x-api-key=$user_key" });
is($res->code, 200, 'an Origin of the own host, any case: 200');

# The x-api-key header (Linphone clients, scripts) is not a browser's ambient credential.
$res = call(space_a => POST => '/api/accounts', json => { username => 'hired-one', password => 'hired-pw-1', algorithm => 'MD5' },
            headers => { 'x-api-key' => $admin_key, Origin => 'https://console.example', 'Sec-Fetch-Site' => 'cross-site' });
is($res->code, 200, 'the header key from another origin (a web console calling with CORS): 200');
is($res->header('Access-Control-Allow-Origin'), '*', 'with the CORS header');
is($accounts->(), $before + 1, 'one account created, the header-authenticated one');

# A public route is not authenticated: the cookie changes nothing there.
$res = call(space_a => GET => '/api/ping', headers => { 'Sec-Fetch-Site' => 'cross-site', Cookie => "x-api-key=$user_key" });
is($res->code, 200, 'public routes answer cross-site requests as before');

# ---- the cookie's attributes --------------------------------------------------------------
$res = call(space_a => GET => '/api/accounts/me/api_key', headers => { 'x-api-key' => $user_key });
like($res->header('Set-Cookie'), qr/; path=\/; httponly; SameSite=Strict$/, 'SameSite=Strict, no Secure over plain HTTP');
remember_secret($res->content);
# Space B sets AccountsCookieSecure On (as behind a TLS-terminating proxy).
make_account('bee', 'b.test', realm => 'realm-b.test', passwords => { MD5 => 'bee-pass-1' });
my ($bres) = digest_call(space_b => GET => '/sip/v1/accounts/me/api_key', username => 'bee', domain => 'b.test',
                         password => 'bee-pass-1', algorithm => 'MD5');
like($bres->header('Set-Cookie'), qr/; path=\/; secure; httponly; SameSite=Strict$/,
     'AccountsCookieSecure On: Secure over a plain-HTTP hop');
