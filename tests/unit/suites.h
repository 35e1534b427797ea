/* The Check suites of the core, one per source file under test. */
#ifndef ACCOUNTS_TEST_SUITES_H
#define ACCOUNTS_TEST_SUITES_H

#include <check.h>
#include <apr_pools.h>

Suite *crypto_suite(void);
Suite *router_suite(void);
Suite *space_suite(void);
Suite *account_suite(void);
Suite *api_key_suite(void);
Suite *digest_suite(void);
Suite *fields_suite(void);
Suite *json_suite(void);
Suite *json_writer_suite(void);
Suite *pagination_suite(void);
Suite *mail_suite(void);
Suite *provisioning_suite(void);
Suite *command_suite(void);
Suite *cli_suite(void);
Suite *device_suite(void);
Suite *push_suite(void);
Suite *codes_suite(void);

/* A fresh pool per test (checked fixture). */
extern apr_pool_t *test_pool;
void test_pool_setup(void);
void test_pool_teardown(void);

#endif
