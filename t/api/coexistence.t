# mod_accounts in an existing Apache (issue 18, item 3): a virtual host
# without AccountsSpace whose own DBDParams point at another database (here
# mod_authn_dbd on the cluster's "postgres" database) keeps working. The
# module used to prepare its statements on every mod_dbd pool of the
# server; on that database they fail, so mod_dbd could open no connection
# and the other application answered 500.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use MIME::Base64 qw(encode_base64);

plan tests => 4;

sub private { my ($auth) = @_; call(space_other => GET => '/private/page',
                                    headers => $auth ? { Authorization => 'Basic ' . encode_base64($auth, '') } : {}) }
is(private()->code, 401, 'the other application asks for its credentials');
is(private('other:other-pass')->code, 404, 'right credentials: authenticated by its own database (then 404: no such page)');
is(private('other:wrong-pass')->code, 401, 'wrong password: 401');
is(call(space_a => GET => '/api/ping')->code, 200, 'and the Spaces still answer');
