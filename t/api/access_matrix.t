# The access matrix of api.md 2.1/2.4 (issue 7, part 5): every route of the
# route table walked by each identity (anonymous, a user of Space A, an admin
# of A, an admin of B, a super admin) on Space A's vhost, and by the admin of A
# on Space B's vhost. Then cross-Space isolation: an admin of B, on its own
# vhost, never reads nor changes an account of A.
#
# @routes below is the only place the levels are written: api.md's route
# table. It is checked against the module's own table (route_table.h or
# routes.c), then each identity's expected outcome is derived from the level.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Accounts::Snapshot;

my @routes = (
    [ GET => '/ping', 'public' ],
    [ POST => '/accounts/with-account-creation-token', 'public' ],
    [ GET => '/accounts/{sip}/info', 'public' ],
    [ GET => '/accounts/me/api_key/{auth_token}', 'public' ],
    [ GET => '/accounts/me/api_key', 'user' ],
    [ GET => '/accounts/me', 'user' ],
    [ GET => '/accounts/me/services/turn', 'user' ],
    [ GET => '/accounts/me/provision', 'user' ],
    [ DELETE => '/accounts/me', 'user' ],
    [ POST => '/accounts/me/password', 'user' ],
    [ GET => '/accounts/me/devices', 'user' ],
    [ DELETE => '/accounts/me/devices/{uuid}', 'user' ],
    [ GET => '/accounts/me/contacts', 'user' ],
    [ GET => '/accounts/me/contacts/{sip}', 'user' ],
    [ POST => '/accounts/me/email/request', 'user' ],
    [ POST => '/accounts/me/email', 'user' ],
    [ POST => '/accounts/me/phone/request', 'user' ],
    [ POST => '/accounts/me/phone', 'user' ],
    [ GET => '/phone_countries', 'public' ],
    [ POST => '/accounts', 'admin' ],
    [ PUT => '/accounts/{id}', 'admin' ],
    [ GET => '/accounts', 'admin' ],
    [ GET => '/accounts/{id}', 'admin' ],
    [ GET => '/accounts/{sip}/search', 'admin' ],
    [ GET => '/accounts/{email}/search-by-email', 'admin' ],
    [ DELETE => '/accounts/{id}', 'admin' ],
    [ POST => '/accounts/{id}/activate', 'admin' ],
    [ POST => '/accounts/{id}/deactivate', 'admin' ],
    [ POST => '/accounts/{id}/block', 'admin' ],
    [ POST => '/accounts/{id}/unblock', 'admin' ],
    [ GET => '/accounts/{id}/provision', 'admin' ],
    [ POST => '/accounts/{id}/send_provisioning_email', 'admin' ],
    [ POST => '/accounts/{id}/send_reset_password_email', 'admin' ],
    [ GET => '/accounts/{id}/devices', 'admin' ],
    [ DELETE => '/accounts/{id}/devices/{uuid}', 'admin' ],
    [ POST => '/accounts/{id}/types/{type_id}', 'admin' ],
    [ DELETE => '/accounts/{id}/types/{type_id}', 'admin' ],
    [ GET => '/accounts/{id}/actions', 'admin' ],
    [ POST => '/accounts/{id}/actions', 'admin' ],
    [ GET => '/accounts/{id}/actions/{action_id}', 'admin' ],
    [ PUT => '/accounts/{id}/actions/{action_id}', 'admin' ],
    [ PATCH => '/accounts/{id}/actions/{action_id}', 'admin' ],
    [ DELETE => '/accounts/{id}/actions/{action_id}', 'admin' ],
    [ GET => '/account_types', 'admin' ],
    [ POST => '/account_types', 'admin' ],
    [ GET => '/account_types/{type_id}', 'admin' ],
    [ PUT => '/account_types/{type_id}', 'admin' ],
    [ PATCH => '/account_types/{type_id}', 'admin' ],
    [ DELETE => '/account_types/{type_id}', 'admin' ],
    [ GET => '/accounts/{id}/dictionary', 'admin' ],
    [ DELETE => '/accounts/{id}/dictionary', 'admin' ],
    [ GET => '/accounts/{id}/dictionary/{key}', 'admin' ],
    [ POST => '/accounts/{id}/dictionary/{key}', 'admin' ],
    [ DELETE => '/accounts/{id}/dictionary/{key}', 'admin' ],
    [ GET => '/accounts/{id}/contacts', 'admin' ],
    [ GET => '/accounts/{id}/contacts/{contact_id}', 'admin' ],
    [ POST => '/accounts/{id}/contacts/{contact_id}', 'admin' ],
    [ DELETE => '/accounts/{id}/contacts/{contact_id}', 'admin' ],
    [ POST => '/accounts/auth_token', 'public' ],
    [ GET => '/accounts/auth_token/{auth_token}/attach', 'user' ],
    [ POST => '/account_creation_tokens', 'admin' ],
    [ GET => '/provisioning/{provisioning_token}', 'public' ],
    [ GET => '/provisioning/auth_token/{auth_token}', 'public' ],
    [ GET => '/provisioning/me', 'user' ],
    [ GET => '/provisioning', 'public' ],
    [ GET => '/password/reset/{token}', 'public' ],
    [ POST => '/password/reset/{token}', 'public' ],
    [ POST => '/account_creation_request_tokens', 'public' ],
    [ GET => '/creation_token/check/{token}', 'public' ],
    [ POST => '/creation_token/validate', 'public' ],
    [ POST => '/account_creation_tokens/using-account-creation-request-token', 'public' ],
    [ POST => '/account_creation_tokens/send-by-push', 'public' ],
    [ POST => '/account_recovery_tokens/send-by-push', 'public' ],
    [ POST => '/account_creation_tokens/consume', 'user' ],
    [ GET => '/recovery/phone/{account_recovery_token}', 'public' ],
    [ GET => '/recovery/email', 'public' ],
    [ POST => '/recovery', 'public' ],
    [ POST => '/recovery/confirm', 'public' ],
);

# ---- the table is the module's -------------------------------------------------------
my %module;
for my $file (map { "$ENV{ACCOUNTS_SRCDIR}/mod_accounts/$_" } 'route_table.h', 'handlers/routes.c') {
    open my $fh, '<', $file or next;
    my $text = do { local $/; <$fh> };
    $module{"$1 $2"} = lc $3 while $text =~ /"(GET|POST|PUT|DELETE|PATCH)",\s*"([^"]+)",\s*ACCESS_(\w+)/g;
}
die "no route table found under $ENV{ACCOUNTS_SRCDIR}/mod_accounts" unless %module;
is_deeply({ map { ("$_->[0] $_->[1]" => $_->[2]) } @routes }, \%module,
          'every route of the module, at the level api.md gives it (' . scalar(keys %module) . ' routes)');

# ---- identities -----------------------------------------------------------------------
reset_db();
my $n = 0;
sub key_of_user { my ($username, $domain) = @_; make_account($username, $domain); my $k = (accountsctl('api-key', "$username\@$domain"))[1]; chomp $k; $k }
# A fresh account for each walk: DELETE /accounts/me removes the caller.
my %identity = (
    anonymous => sub { undef },
    'user of A' => sub { key_of_user('muser' . ++$n, 'a.test') },
    'admin of A' => sub { create_admin('madmina' . ++$n, 'a.test') },
    'admin of B' => sub { create_admin('madminb' . ++$n, 'b.test') },
    'super admin' => sub { create_admin('msuper' . ++$n, 'super.test') },
);
my %base = (space_a => '/api', space_b => '/sip/v1');
my %domain = (space_a => 'a.test', space_b => 'b.test');

# What a level lets an identity do on a vhost: 'allowed', or the refusal.
sub expected {
    my ($level, $who, $space) = @_;
    return 'allowed' if $level eq 'public';
    return 401 if $who eq 'anonymous';
    return 'allowed' if $level eq 'user';
    # admin: of the request Space, or super.
    return 'allowed' if $who eq 'super admin' || ($who eq 'admin of A' && $space eq 'space_a');
    return 403;
}

# An account of the vhost's Space for the {id}, {sip} and {email} routes:
# a fresh one per request (DELETE and PUT change it).
my $t = 0;
sub target {
    my ($domain) = @_;
    my $name = 'mtarget' . ++$t;
    # A DTMF protocol: the action routes refuse accounts without one (403).
    my $id = db_value("INSERT INTO accounts (username, domain, email, ip_address, activated, dtmf_protocol) VALUES"
                      . " ('$name', '$domain', '$name\@example.org', '192.0.2.1', true, 'sipinfo') RETURNING id");
    return { id => $id, sip => "$name\@$domain", email => "$name\@example.org" };
}

# Bodies that pass the body check (so the access checks decide), and a
# request per route; tokens in paths are unknown ones, except the auth token
# a user attaches.
my %body = ('POST /accounts' => {}, 'PUT /accounts/{id}' => {}, 'POST /accounts/me/password' => {},
            'POST /accounts/with-account-creation-token' => {});
sub request_for {
    my ($space, $method, $template, $key) = @_;
    my $path = $template;
    if ($path =~ /\{(id|sip|email)\}/) {
        my $target = target($domain{$space});
        $path =~ s/\{(id|sip|email)\}/$target->{$1}/;
    }
    if ($path =~ /\{auth_token\}/) {
        my $token = $path =~ /attach$/ ? json_of(call($space => POST => "$base{$space}/accounts/auth_token"))->{token}
                                        : 'X' x 32;
        $path =~ s/\{auth_token\}/$token/;
    }
    $path =~ s/\{provisioning_token\}/'P' x 13/e;
    $path =~ s/\{account_recovery_token\}/'Q' x 13/e;
    $path =~ s/\{token\}/'R' x 16/e;
    $path =~ s/\{uuid\}/urn:uuid:00000000-0000-0000-0000-000000000000/;
    $path =~ s/\{(type_id|action_id)\}/999999/;
    $path =~ s/\{key\}/matrix_key/;
    $path =~ s/\{contact_id\}/target($domain{$space})->{id}/e;
    my %opt = (headers => { 'x-linphone-provisioning' => 1, defined $key ? ('x-api-key' => $key) : () });
    $opt{json} = $body{"$method $template"} if $body{"$method $template"};
    $opt{body} = 'password=x' if $template =~ m{^/password/reset} && $method eq 'POST';
    return ("$base{$space}$path", %opt);
}

# ---- the walk ---------------------------------------------------------------------------
my @walks = ((map { [ $_, 'space_a' ] } 'anonymous', 'user of A', 'admin of A', 'admin of B', 'super admin'),
             [ 'admin of A', 'space_b' ]);
# DELETE /accounts/me last: it deletes the caller.
sub deletes_caller { $_[0][0] eq 'DELETE' && $_[0][1] eq '/accounts/me' }
my @order = ((grep { !deletes_caller($_) } @routes), (grep { deletes_caller($_) } @routes));
for my $walk (@walks) {
    my ($who, $space) = @$walk;
    my $key = $identity{$who}->();
    for my $route (@order) {
        my ($method, $template, $level) = @$route;
        my $want = expected($level, $who, $space);
        my $name = "$who on $space: $method $template";
        my ($path, %opt) = request_for($space, $method, $template, $key);
        my $before = db_snapshot();
        my $res = call($space => $method, $path, %opt);
        if ($want eq 'allowed') {
            # A 403 of the route itself (Type not attached...) is past the access check.
            my $refused = $res->code == 401
                || ($res->code == 403 && (json_of($res) // {})->{message} =~ /^(Unauthorized area|Account blocked)$/);
            ok($res->code < 500 && !$refused, "$name: allowed (" . $res->code . ')')
                or diag(substr($res->content, 0, 200));
            next;
        }
        if ($want == 401) {
            is($res->code, 401, "$name: 401");
        }
        else {
            is_deeply([ $res->code, json_of($res) ], [ 403, { message => 'Unauthorized area' } ], "$name: 403 Unauthorized area");
        }
        is_deeply(db_snapshot(), $before, "$name: nothing written");
    }
}

# ---- cross-site: every credentialed route with a super admin's cookie --------------------
# A page of another site makes the browser send the cookie (issue 13, item 1):
# whatever the route, the request is refused before anything is read or
# written, new routes included.
my $cookie_key = $identity{'super admin'}->();
for my $route (grep { $_->[2] ne 'public' } @order) {
    my ($method, $template) = @$route;
    my ($path, %opt) = request_for('space_a', $method, $template, undef);
    $opt{headers}{Cookie} = "x-api-key=$cookie_key";
    $opt{headers}{'Sec-Fetch-Site'} = 'cross-site';
    $opt{headers}{Origin} = 'https://evil.example';
    my $before = db_snapshot();
    my $res = call(space_a => $method, $path, %opt);
    is_deeply([ $res->code, json_of($res) ], [ 403, { message => 'Cross-site request refused' } ],
              "cross-site with the cookie: $method $template: 403");
    is_deeply(db_snapshot(), $before, "cross-site with the cookie: $method $template: nothing written");
}

# ---- cross-Space: an admin of B on its own vhost and A's accounts ------------------------
my $admin_b = create_admin('isoadminb', 'b.test');
my $victim = target('a.test');
my $before = db_snapshot();
sub B { my ($m, $p, %o) = @_; call(space_b => $m, "/sip/v1$p", %o, headers => { 'x-api-key' => $admin_b }) }
my $put = { username => 'stolen01', password => 'secret123', algorithm => 'MD5' };
for my $case ([ GET => "/accounts/$victim->{id}" ], [ PUT => "/accounts/$victim->{id}", json => $put ],
              [ DELETE => "/accounts/$victim->{id}" ], map({ [ POST => "/accounts/$victim->{id}/$_" ] }
              qw(activate deactivate block unblock send_provisioning_email send_reset_password_email)),
              [ GET => "/accounts/$victim->{id}/provision" ], [ GET => "/accounts/$victim->{id}/devices" ],
    [ DELETE => "/accounts/$victim->{id}/devices/urn:uuid:1" ], [ GET => "/accounts/$victim->{id}/actions" ],
    [ POST => "/accounts/$victim->{id}/actions", json => { key => 'open', code => '12' } ],
    [ POST => "/accounts/$victim->{id}/types/999999" ], [ DELETE => "/accounts/$victim->{id}/types/999999" ]) {
    my ($m, $p, %o) = @$case;
    my $res = B($m, $p, %o);
    is_deeply([ $res->code, json_of($res) ], [ 404, { message => 'Account not found' } ], "admin of B: $m $p: 404");
}
my $res = B(GET => "/accounts/$victim->{sip}/search");
is_deeply([ $res->code, json_of($res) ], [ 404, { message => 'SIP address not found' } ], "admin of B: search of A's account: 404");
$res = B(GET => "/accounts/$victim->{email}/search-by-email");
is_deeply([ $res->code, json_of($res) ], [ 404, { message => 'Email address not found' } ], "admin of B: search-by-email of A's account: 404");
$res = B(GET => '/accounts');
is_deeply([ grep { $_->{domain} ne 'b.test' } @{ json_of($res)->{data} } ], [], "admin of B: the list has B's accounts only");
is_deeply(db_snapshot(), $before, "admin of B changed nothing of A's");

done_testing();
