/*
 * mod_accounts: the Accounts API of Linphone clients, served by Apache.
 *
 * This file is the only one that knows Apache's configuration API: the
 * module record, the directive table, config create/merge, startup checks
 * and the request dispatcher. The rest lives in small files (space.c,
 * router.c, auth.c, store.c, handlers/...).
 */
#include "module.h"
#include "database.h"
#include "auth.h"
#include "crypto.h"
#include "request.h"
#include "handlers/handlers.h"

#include <string.h>

#include <apr_optional.h>
#include <apr_strings.h>
#include <ap_expr.h>
#include <http_config.h>
#include <util_cfgtree.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>

/* Length of the random AccountsSecret made when none is configured. */
#define GENERATED_SECRET_LENGTH 43

/* ---- configuration ------------------------------------------------------ */

static void *create_server_conf(apr_pool_t *p, server_rec *s)
{
    accounts_server_conf *conf = apr_pcalloc(p, sizeof(*conf));
    (void)s;
    conf->space = space_create(p);
    return conf;
}

static void *merge_server_conf(apr_pool_t *p, void *basev, void *addv)
{
    accounts_server_conf *base = basev, *add = addv;
    accounts_server_conf *conf = apr_pcalloc(p, sizeof(*conf));

    conf->space = space_merge(p, base->space, add->space);
    return conf;
}

static const char *set_setting(cmd_parms *cmd, void *dconf, const char *arg)
{
    accounts_server_conf *conf = ap_get_module_config(cmd->server->module_config,
                                                      &accounts_module);
    (void)dconf;
    return space_setting_set(cmd->pool, conf->space, cmd->info, arg, NULL);
}

static const char *set_setting_flag(cmd_parms *cmd, void *dconf, int on)
{
    return set_setting(cmd, dconf, on ? "On" : "Off");
}

static const char *set_setting_pair(cmd_parms *cmd, void *dconf, const char *name,
                                    const char *value)
{
    accounts_server_conf *conf = ap_get_module_config(cmd->server->module_config,
                                                      &accounts_module);
    (void)dconf;
    return space_setting_set(cmd->pool, conf->space, cmd->info, name, value);
}

#define CMD_TAKE1(directive, info, help) \
    AP_INIT_TAKE1(directive, set_setting, (void *)(info), RSRC_CONF, help)
#define CMD_ITERATE(directive, info, help) \
    AP_INIT_ITERATE(directive, set_setting, (void *)(info), RSRC_CONF, help)
#define CMD_FLAG(directive, info, help) \
    AP_INIT_FLAG(directive, set_setting_flag, (void *)(info), RSRC_CONF, help)
#define CMD_TAKE2(directive, info, help) \
    AP_INIT_TAKE2(directive, set_setting_pair, (void *)(info), RSRC_CONF, help)

static const command_rec accounts_cmds[] = {
#define X(id, directive, args, kind, field, def, help) \
    CMD_##args(directive, &space_settings[SPACE_SETTING_##id], help),
    ACCOUNTS_SPACE_SETTINGS(X)
#undef X
    { NULL }
};

/* ---- startup ------------------------------------------------------------ */

/* Resolves every Space and builds the registry; NULL or an error message. */
static const char *build_registry(apr_pool_t *pconf, server_rec *s,
                                  space_registry **out)
{
    space_registry *registry = space_registry_create(pconf);
    const char *secret = crypto_random_alnum(pconf, GENERATED_SECRET_LENGTH);
    int generated_secret_used = 0;

    if (!secret) {
        return "cannot draw random bytes for AccountsSecret";
    }
    for (server_rec *sv = s; sv; sv = sv->next) {
        accounts_server_conf *conf = ap_get_module_config(sv->module_config,
                                                          &accounts_module);
        const char *err;

        if (!conf->space->domain) {
            continue;
        }
        if (!conf->space->secret) {
            generated_secret_used = 1;
        }
        /* Where the virtual host is defined, for the messages that name it. */
        conf->space->origin = sv->defn_name
            ? apr_psprintf(pconf, "%s:%u", sv->defn_name, sv->defn_line_number) : NULL;
        if ((err = space_resolve(pconf, conf->space, sv->server_hostname, secret))
            || (err = space_registry_add(registry, conf->space))) {
            return err;
        }
    }
    if (generated_secret_used) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "AccountsSecret is not set: a random one is used until the "
                     "next restart (digest opaque values change then, and nodes "
                     "of a cluster disagree)");
    }
    *out = registry;
    return NULL;
}

/* mod_dbd's configuration of a server: virtual hosts without DBD
 * directives of their own share the main server's, hence its database. */
static void *dbd_config_of(server_rec *sv)
{
    module *dbd = ap_find_linked_module("mod_dbd.c");
    return dbd ? ap_get_module_config(sv->module_config, dbd) : NULL;
}

/* Registers every statement with mod_dbd, once per mod_dbd configuration
 * (virtual hosts without DBD directives share the main server's), and only
 * for those of virtual hosts that serve a Space: another vhost's own
 * database (mod_authn_dbd, mod_session_dbd, another application) has none
 * of our tables, and mod_dbd could not open a connection to it if it had
 * to prepare our statements there. */
static void register_statements(apr_pool_t *ptemp, server_rec *s)
{
    apr_hash_t *seen = apr_hash_make(ptemp);

    for (server_rec *sv = s; sv; sv = sv->next) {
        accounts_server_conf *conf = ap_get_module_config(sv->module_config, &accounts_module);
        void *dbd_conf = dbd_config_of(sv);

        if (!conf->space->domain
            || (dbd_conf && apr_hash_get(seen, &dbd_conf, sizeof(dbd_conf)))) {
            continue;
        }
        if (dbd_conf) {
            void **key = apr_pmemdup(ptemp, &dbd_conf, sizeof(dbd_conf));
            apr_hash_set(seen, key, sizeof(dbd_conf), key);
        }
        for (int i = 0, n = store_statements_total(); i < n; i++) {
            const store_statement *st = store_statement_at(i);
            accounts_dbd_prepare(sv, st->sql, st->label);
        }
    }
}

/* Each server's database_spaces: the Spaces of the servers with the same
 * mod_dbd configuration (one Space may be served by several vhosts). */
static void group_spaces_by_database(apr_pool_t *pconf, server_rec *s)
{
    for (server_rec *sv = s; sv; sv = sv->next) {
        accounts_server_conf *conf = ap_get_module_config(sv->module_config, &accounts_module);
        apr_hash_t *seen = apr_hash_make(pconf);

        conf->database_spaces = apr_array_make(pconf, 4, sizeof(const accounts_space *));
        if (!conf->space->domain) {
            continue;
        }
        for (server_rec *other = s; other; other = other->next) {
            accounts_server_conf *oc = ap_get_module_config(other->module_config,
                                                            &accounts_module);
            if (oc->space->domain && dbd_config_of(other) == dbd_config_of(sv)
                && !apr_hash_get(seen, oc->space->domain, APR_HASH_KEY_STRING)) {
                apr_hash_set(seen, oc->space->domain, APR_HASH_KEY_STRING, oc);
                APR_ARRAY_PUSH(conf->database_spaces, const accounts_space *) =
                    space_registry_find(conf->registry, oc->space->domain);
            }
        }
    }
}

static int any_space(server_rec *s)
{
    for (server_rec *sv = s; sv; sv = sv->next) {
        accounts_server_conf *conf = ap_get_module_config(sv->module_config,
                                                          &accounts_module);
        if (conf->space->domain) {
            return 1;
        }
    }
    return 0;
}

/* ---- the database directives a Space needs ------------------------------- */

/* mod_dbd keeps its configuration to itself: whether a Space has DBDriver
 * and DBDParams is read from the configuration tree, globally or in its
 * <VirtualHost> (any container inside counts, <IfModule> included). */
static int tree_has(const ap_directive_t *node, const char *name)
{
    for (; node; node = node->next) {
        if (strcasecmp(node->directive, name) == 0) {
            return 1;
        }
        if (node->first_child && strcasecmp(node->directive, "<VirtualHost") != 0
            && tree_has(node->first_child, name)) {
            return 1;
        }
    }
    return 0;
}

/* The <VirtualHost> node that defined sv (by file and line), or NULL. */
static const ap_directive_t *vhost_node(const ap_directive_t *node, const server_rec *sv)
{
    for (; node; node = node->next) {
        const ap_directive_t *found;
        if (strcasecmp(node->directive, "<VirtualHost") == 0) {
            if (sv->defn_name && node->filename && node->line_num == (int)sv->defn_line_number
                && strcmp(node->filename, sv->defn_name) == 0) {
                return node;
            }
            continue;
        }
        if (node->first_child && (found = vhost_node(node->first_child, sv))) {
            return found;
        }
    }
    return NULL;
}

/* NULL, or what a Space lacks: without DBDriver and DBDParams, mod_dbd has
 * no database for it and every request would get a 503 ("no database
 * connection") at run time. Said at configuration time instead. */
static const char *missing_database(apr_pool_t *p, server_rec *s)
{
    for (server_rec *sv = s; sv; sv = sv->next) {
        accounts_server_conf *conf = ap_get_module_config(sv->module_config, &accounts_module);
        const ap_directive_t *vhost;
        const char *lacks[2];
        int n = 0;

        if (!conf->space->domain) {
            continue;
        }
        vhost = sv->is_virtual ? vhost_node(ap_conftree, sv) : NULL;
        for (int i = 0; i < 2; i++) {
            const char *name = i == 0 ? "DBDriver" : "DBDParams";
            if (!tree_has(ap_conftree, name) && !(vhost && tree_has(vhost->first_child, name))) {
                lacks[n++] = name;
            }
        }
        if (n) {
            return apr_psprintf(p, "mod_accounts: AccountsSpace %s (%s:%d) has no %s%s%s: give it "
                                "its database with DBDriver pgsql and DBDParams \"host=... "
                                "dbname=... user=...\", globally or in its virtual host",
                                conf->space->domain, sv->defn_name ? sv->defn_name : "the main server",
                                (int)sv->defn_line_number, lacks[0], n == 2 ? " and no " : "",
                                n == 2 ? lacks[1] : "");
        }
    }
    return NULL;
}

static int accounts_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                                apr_pool_t *ptemp, server_rec *s)
{
    space_registry *registry;
    const char *err;
    (void)plog;

    if (!any_space(s)) {
        return OK;
    }
    if (!accounts_dbd_bind()) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
                     "mod_accounts needs mod_dbd: LoadModule dbd_module first");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if ((err = build_registry(pconf, s, &registry)) || (err = missing_database(ptemp, s))) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "%s", err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    for (server_rec *sv = s; sv; sv = sv->next) {
        accounts_server_conf *conf = ap_get_module_config(sv->module_config,
                                                          &accounts_module);
        conf->registry = registry;
    }
    group_spaces_by_database(pconf, s);
    register_statements(ptemp, s);
    ap_log_error(APLOG_MARK, APLOG_INFO, 0, s, "mod_accounts: %u Space(s) configured",
                 space_registry_count(registry));
    return OK;
}

/* Every child writes the realms of the Spaces it serves into their rows
 * (sql/0010), once per database: SIP servers read them, and a changed
 * httpd.conf reaches the database with the children of the new
 * generation. A database away now leaves it to the first request. */
static void accounts_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_hash_t *done = apr_hash_make(pchild);

    if (!any_space(s)) {
        return;
    }
    for (server_rec *sv = s; sv; sv = sv->next) {
        accounts_server_conf *conf = ap_get_module_config(sv->module_config, &accounts_module);
        void *group = dbd_config_of(sv);
        ap_dbd_t *dbd;
        store *db;

        if (!conf->space->domain || !conf->database_spaces
            || apr_hash_get(done, &group, sizeof(group))) {
            continue;
        }
        apr_hash_set(done, apr_pmemdup(pchild, &group, sizeof(group)), sizeof(group), sv);
        dbd = accounts_dbd_open(pchild, sv);
        if (!dbd) {
            accounts_space_realms_pending();
            continue;
        }
        db = accounts_store_on(pchild, dbd, sv);
        if (store_session_ready(db) != STORE_OK
            || accounts_write_space_realms(db, conf->database_spaces) != STORE_OK) {
            accounts_space_realms_pending();
        }
        accounts_dbd_close(sv, dbd);
    }
}

/* apachectl configtest runs no post_config: check the cross-vhost rules
 * here too, so a conflicting Space fails the test. */
static void accounts_test_config(apr_pool_t *pconf, server_rec *s)
{
    space_registry *registry;
    const char *err;

    /* post_config would stop a start or a graceful reload for this; say it
     * here, where the mistake is made. */
    if (any_space(s) && !ap_find_linked_module("mod_dbd.c")) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
                     "mod_accounts needs mod_dbd: LoadModule dbd_module first");
        exit(1);
    }
    if (any_space(s) && ((err = build_registry(pconf, s, &registry))
                         || (err = missing_database(pconf, s)))) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "%s", err);
        exit(1);
    }
}

/* ---- requests ----------------------------------------------------------- */

static int answer_route_miss(accounts_request *req, route_status status)
{
    request_rec *r = req->r;
    const char *path = r->uri[0] == '/' ? r->uri + 1 : r->uri;

    if (status == ROUTE_METHOD_NOT_ALLOWED) {
        if (r->method_number == M_OPTIONS) {
            /* CORS preflight on a known path. */
            apr_table_setn(r->headers_out, "Access-Control-Allow-Origin", "*");
            apr_table_setn(r->headers_out, "Access-Control-Allow-Methods", req->match.allow);
            apr_table_setn(r->headers_out, "Access-Control-Allow-Headers", "*");
            apr_table_setn(r->headers_out, "Access-Control-Max-Age", "86400");
            return accounts_send_empty(req, HTTP_NO_CONTENT);
        }
        apr_table_setn(r->headers_out, "Allow", req->match.allow);
        return accounts_send_message(req, HTTP_METHOD_NOT_ALLOWED, apr_psprintf(
            r->pool, "The %s method is not supported for route %s. Supported methods: %s.",
            r->method, path, req->match.allow));
    }
    return accounts_send_message(req, HTTP_NOT_FOUND, apr_psprintf(
        r->pool, "The route %s could not be found.", path));
}

/* Where the API is mounted: the longest literal <Location> of this server
 * whose SetHandler is "accounts" and that contains the request path.
 * Without one (SetHandler at the virtual host level, or a regex location)
 * the API is served at the root. */
static const char *mount_base(request_rec *r, const char *raw_path)
{
    core_server_config *core = ap_get_core_module_config(r->server->module_config);
    const char *best = "";
    size_t best_len = 0;

    for (int i = 0; core->sec_url && i < core->sec_url->nelts; i++) {
        ap_conf_vector_t *section = APR_ARRAY_IDX(core->sec_url, i, ap_conf_vector_t *);
        core_dir_config *loc = ap_get_core_module_config(section);
        const char *handler, *err = NULL;
        size_t len;

        if (loc->r || !loc->d || loc->d[0] != '/' || !loc->expr_handler) {
            continue;
        }
        handler = ap_expr_str_exec(r, loc->expr_handler, &err);
        if (!handler || strcasecmp(handler, "accounts") != 0) {
            continue;
        }
        len = strlen(loc->d);
        while (len > 0 && loc->d[len - 1] == '/') {
            len--;
        }
        if (len > best_len && strncmp(raw_path, loc->d, len) == 0
            && (raw_path[len] == '/' || raw_path[len] == '\0')) {
            best = loc->d;
            best_len = len;
        }
    }
    return apr_pstrndup(r->pool, best, best_len);
}

static const char *raw_path(request_rec *r)
{
    return r->parsed_uri.path ? r->parsed_uri.path : r->uri;
}

#if AP_MODULE_MAGIC_AT_LEAST(20120211, 109)
/* Apache percent-decodes the request path in place before the handler runs,
 * and answers some escapes itself with an HTML 404 (%2F without
 * AllowEncodedSlashes, %00). The router decodes each path segment once on
 * its own (api.md 1.2), so below a <Location> whose handler is ours the path
 * is left as received, already normalised by Apache (dot segments, merged
 * slashes, unreserved characters decoded; a malformed escape such as %zz
 * was refused there, with Apache's 400): "%2531" stays the id "%31" instead
 * of becoming 1 by a second decoding, and those escapes get the module's
 * JSON 404. The <Location> walk has just run: per_dir_config has its handler. */
static int accounts_pre_translate_name(request_rec *r)
{
    core_dir_config *d = ap_get_core_module_config(r->per_dir_config);
    const char *handler, *err = NULL;

    if (!d || !d->expr_handler) {
        return DECLINED;
    }
    handler = ap_expr_str_exec(r, d->expr_handler, &err);
    if (!handler || strcasecmp(handler, "accounts") != 0) {
        return DECLINED;
    }
    return DONE;   /* DONE: Apache skips its own decoding of the path */
}
#endif

/* The path below the mount point, raw (still percent-encoded). */
static const char *relative_path(request_rec *r, const char *base)
{
    const char *raw = raw_path(r);
    size_t blen = strlen(base);

    if (strncmp(raw, base, blen) == 0 && (raw[blen] == '/' || raw[blen] == '\0')) {
        return raw[blen] ? raw + blen : "/";
    }
    return NULL;
}

static int accounts_handler(request_rec *r)
{
    accounts_server_conf *sconf;
    accounts_request *req;
    route_status status;
    int rc;

    if (!r->handler || strcmp(r->handler, "accounts") != 0) {
        return DECLINED;
    }
    sconf = ap_get_module_config(r->server->module_config, &accounts_module);
    req = apr_pcalloc(r->pool, sizeof(*req));
    req->r = r;
    req->space = sconf->space;
    req->registry = sconf->registry;
    req->database_spaces = sconf->database_spaces;
    req->base = mount_base(r, raw_path(r));
    req->path = relative_path(r, req->base);

    if (!req->space->domain || !req->space->resolved) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "SetHandler accounts on a virtual host without AccountsSpace");
        return accounts_send_message(req, HTTP_NOT_FOUND, "No Space is served here.");
    }
    status = req->path
                 ? router_match(r->pool, accounts_routes, accounts_routes_count,
                                r->method, req->path, &req->match)
                 : ROUTE_NOT_FOUND;
    if (status != ROUTE_FOUND) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "no route for %s %s (base '%s', path '%s')",
                      r->method, r->uri, req->base, req->path ? req->path : "(outside)");
        return answer_route_miss(req, status);
    }
    if (req->space->expires_at && apr_time_now() >= req->space->expires_at) {
        return accounts_send_message(req, HTTP_FORBIDDEN, "The related Space has expired");
    }
    if ((rc = accounts_read_params(req)) != ACCOUNTS_CONTINUE) {
        return rc;
    }
    if ((rc = accounts_authorize(req, req->match.route->access)) != ACCOUNTS_CONTINUE) {
        return rc;
    }
    return req->match.route->handler(req);
}

static void register_hooks(apr_pool_t *p)
{
    /* Statements must reach mod_dbd before its post_config prepares them. */
    static const char *const before_dbd[] = { "mod_dbd.c", NULL };
    static const char *const after_dbd[] = { "mod_dbd.c", NULL };
    (void)p;

    ap_hook_post_config(accounts_post_config, NULL, before_dbd, APR_HOOK_MIDDLE);
    ap_hook_test_config(accounts_test_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(accounts_handler, NULL, NULL, APR_HOOK_MIDDLE);
    /* After mod_dbd's child_init, which sets up its connection pools. */
    ap_hook_child_init(accounts_child_init, after_dbd, NULL, APR_HOOK_MIDDLE);
#if AP_MODULE_MAGIC_AT_LEAST(20120211, 109)
    ap_hook_pre_translate_name(accounts_pre_translate_name, NULL, NULL, APR_HOOK_MIDDLE);
#endif
}

AP_DECLARE_MODULE(accounts) = {
    STANDARD20_MODULE_STUFF,
    NULL,
    NULL,
    create_server_conf,
    merge_server_conf,
    accounts_cmds,
    register_hooks,
#if defined(AP_MODULE_FLAG_ALWAYS_MERGE)
    AP_MODULE_FLAG_ALWAYS_MERGE   /* every vhost gets its own resolved Space */
#endif
};
