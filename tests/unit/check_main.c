#include "suites.h"

#include <stdlib.h>
#include <apr_general.h>

apr_pool_t *test_pool;

void test_pool_setup(void)
{
    apr_pool_create(&test_pool, NULL);
}

void test_pool_teardown(void)
{
    apr_pool_destroy(test_pool);
    test_pool = NULL;
}

int main(void)
{
    SRunner *sr;
    int failed;

    apr_initialize();
    sr = srunner_create(crypto_suite());
    srunner_add_suite(sr, router_suite());
    srunner_add_suite(sr, space_suite());
    srunner_add_suite(sr, account_suite());
    srunner_add_suite(sr, api_key_suite());
    srunner_add_suite(sr, digest_suite());
    srunner_add_suite(sr, fields_suite());
    srunner_add_suite(sr, json_suite());
    srunner_add_suite(sr, json_writer_suite());
    srunner_add_suite(sr, pagination_suite());
    srunner_add_suite(sr, mail_suite());
    srunner_add_suite(sr, provisioning_suite());
    srunner_add_suite(sr, command_suite());
    srunner_add_suite(sr, cli_suite());
    srunner_add_suite(sr, device_suite());
    srunner_add_suite(sr, push_suite());
    srunner_add_suite(sr, codes_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    apr_terminate();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
