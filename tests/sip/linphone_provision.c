/*
 * tests/sip/linphone_provision.c: a liblinphone client for make check-sip
 * (t/sip/ tests). Built by the check-sip target against liblinphone-dev
 * (pkg-config linphone).
 *
 *   linphone_provision RCFILE SECONDS [HOLD]
 *
 * Creates a LinphoneCore on the configuration file RCFILE (written by the
 * test: either a [misc] config-uri, the module's
 * GET /provisioning/{provisioning_token}, or a [proxy_0] + [auth_info_0] of
 * its own), starts it and iterates until an account reaches
 * LinphoneRegistrationOk (exit 0) or LinphoneRegistrationFailed (exit 2),
 * a provisioning fails (exit 3), or SECONDS pass (exit 4). With HOLD, a
 * registered client stays registered HOLD more seconds before it stops
 * (t/sip/devices.t reads the registration meanwhile). It prints one
 * line per event, which the tests read:
 *
 *   user_agent: LinphoneSipTest/5.1.0 (SIP test box) LinphoneSDK
 *   configuring: LinphoneConfiguringSuccessful
 *   auth_info: username=alice realm=r.test algorithm=MD5 ha1=yes password=no
 *   registration: sip:alice@a.test LinphoneRegistrationOk (Registration successful)
 */
#include <linphone/core.h>
#include <linphone/factory.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int result = -1;

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static void print_auth_infos(LinphoneCore *core)
{
    for (const bctbx_list_t *it = linphone_core_get_auth_info_list(core); it; it = bctbx_list_next(it)) {
        const LinphoneAuthInfo *ai = (const LinphoneAuthInfo *)bctbx_list_get_data(it);
        const char *ha1 = linphone_auth_info_get_ha1(ai);
        const char *pw = linphone_auth_info_get_password(ai);
        printf("auth_info: username=%s realm=%s algorithm=%s ha1=%s password=%s\n",
               or_empty(linphone_auth_info_get_username(ai)), or_empty(linphone_auth_info_get_realm(ai)),
               or_empty(linphone_auth_info_get_algorithm(ai)), ha1 && *ha1 ? "yes" : "no",
               pw && *pw ? "yes" : "no");
    }
    fflush(stdout);
}

static void on_configuring(LinphoneCore *core, LinphoneConfiguringState status, const char *message)
{
    printf("configuring: %s%s%s\n", linphone_configuring_state_to_string(status),
           message ? " " : "", or_empty(message));
    fflush(stdout);
    if (status == LinphoneConfiguringFailed) {
        result = 3;
    }
    else if (status == LinphoneConfiguringSuccessful) {
        print_auth_infos(core);
    }
}

static void on_registration(LinphoneCore *core, LinphoneAccount *account, LinphoneRegistrationState state,
                            const char *message)
{
    const LinphoneAddress *id = linphone_account_params_get_identity_address(linphone_account_get_params(account));
    char *uri = id ? linphone_address_as_string_uri_only(id) : NULL;
    (void)core;
    printf("registration: %s %s (%s)\n", or_empty(uri), linphone_registration_state_to_string(state),
           or_empty(message));
    fflush(stdout);
    bctbx_free(uri);
    if (state == LinphoneRegistrationOk) {
        result = 0;
    }
    else if (state == LinphoneRegistrationFailed) {
        result = 2;
    }
}

int main(int argc, char **argv)
{
    LinphoneFactory *factory;
    LinphoneCoreCbs *cbs;
    LinphoneCore *core;
    time_t deadline;
    int hold;

    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: %s RCFILE SECONDS [HOLD]\n", argv[0]);
        return 64;
    }
    deadline = time(NULL) + atoi(argv[2]);
    hold = argc == 4 ? atoi(argv[3]) : 0;

    factory = linphone_factory_get();
    cbs = linphone_factory_create_core_cbs(factory);
    linphone_core_cbs_set_configuring_status(cbs, on_configuring);
    linphone_core_cbs_set_account_registration_state_changed(cbs, on_registration);

    core = linphone_factory_create_core_3(factory, argv[1], NULL, NULL);
    if (!core) {
        fprintf(stderr, "cannot create a LinphoneCore on %s\n", argv[1]);
        return 1;
    }
    /* The User-Agent of a Linphone app, "App/version (device) LinphoneSDK/...": the devices
     * routes parse it (api-lifecycle.md 8.1). */
    linphone_core_set_user_agent(core, "LinphoneSipTest", "5.1.0 (SIP test box) LinphoneSDK");
    linphone_core_add_callbacks(core, cbs);
    linphone_core_cbs_unref(cbs);
    if (linphone_core_start(core) != 0) {
        fprintf(stderr, "linphone_core_start failed\n");
        return 1;
    }
    printf("user_agent: %s\n", or_empty(linphone_core_get_user_agent(core)));
    fflush(stdout);
    while (result < 0 && time(NULL) < deadline) {
        linphone_core_iterate(core);
        usleep(20000);
    }
    if (result < 0) {
        printf("timeout\n");
        result = 4;
    }
    if (result == 0 && hold > 0) {
        printf("holding: %d s\n", hold);
        fflush(stdout);
        for (deadline = time(NULL) + hold; time(NULL) < deadline;) {
            linphone_core_iterate(core);
            usleep(20000);
        }
    }
    print_auth_infos(core);
    linphone_core_stop(core);
    linphone_core_unref(core);
    return result;
}
