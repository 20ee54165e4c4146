/* xenstored's core, driven through memory connections acting as any domain,
 * and the real daemon on a socket through the client library. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tool_harness.h"
#include "xenstored_core.h"
#include "xenstored_ring.h"

struct msg {
    struct xsd_sockmsg hdr;
    char data[XENSTORE_PAYLOAD_MAX + 1];
};

static struct conn *stash_conn;

static void reset(void)
{
    stash_conn = NULL;
    domain_release_all();
    while (conn_list)
        conn_destroy(conn_list);
    store_init();
    store_setup_initial();
}

static void send_req(struct conn *c, uint32_t type, uint32_t tx, const void *p, size_t len)
{
    struct xsd_sockmsg h = { .type = type, .req_id = 7, .tx_id = tx, .len = len };
    char buf[sizeof(h) + XENSTORE_PAYLOAD_MAX];

    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), p, len);
    conn_memory_feed(c, buf, sizeof(h) + len);
}

/* An event that came before the answer req() waited for (xenstored queues
 * the events a request fires before its answer). */
static struct msg stash;
static struct conn *stash_conn;

/* Takes the next queued message of c; false when none. */
static bool take(struct conn *c, struct msg *m)
{
    static char buf[sizeof(struct msg)];
    size_t n;

    if (stash_conn == c) {
        *m = stash;
        stash_conn = NULL;
        return true;
    }
    if (!conn_has_output(c))
        return false;
    n = conn_memory_take(c, buf, sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX);
    (void)n;
    memcpy(&m->hdr, buf, sizeof(m->hdr));
    memcpy(m->data, buf + sizeof(m->hdr), m->hdr.len);
    m->data[m->hdr.len] = '\0';
    return true;
}

/* One request, one answer: the answer's payload, or the error name. */
static const char *req(struct conn *c, uint32_t type, uint32_t tx, const void *p, size_t len)
{
    static struct msg m;

    send_req(c, type, tx, p, len);
    for (;;) {
        if (!take(c, &m))
            return "<none>";
        if (m.hdr.type != XS_WATCH_EVENT || stash_conn)
            return m.data;
        stash = m;
        stash_conn = c;
        if (!conn_has_output(c))
            return "<none>";
        conn_memory_take(c, &m, sizeof(m));
        m.data[m.hdr.len] = '\0';
        return m.data;
    }
}

#define REQ(c, type, str) req(c, type, 0, str, sizeof(str))
#define REQ_TX(c, type, tx, str) req(c, type, tx, str, sizeof(str))

static void test_initial_tree(void)
{
    struct conn *c;

    reset();
    c = conn_new_memory(0);
    CU_ASSERT_EQUAL(memcmp(REQ(c, XS_DIRECTORY, "/"), "local\0tool", 11), 0);
    CU_ASSERT_STRING_EQUAL(REQ(c, XS_DIRECTORY, "/local"), "domain");
    CU_ASSERT_STRING_EQUAL(REQ(c, XS_GET_PERMS, "/tool"), "n0");
}

static void test_write_read_rm(void)
{
    struct conn *c;

    reset();
    c = conn_new_memory(0);
    CU_ASSERT_STRING_EQUAL(req(c, XS_WRITE, 0, "/a/b/c\0hello", 12), "OK");
    CU_ASSERT_STRING_EQUAL(REQ(c, XS_READ, "/a/b/c"), "hello");
    CU_ASSERT_STRING_EQUAL(REQ(c, XS_READ, "/a/b"), "");
    CU_ASSERT_STRING_EQUAL(REQ(c, XS_MKDIR, "/a/d"), "OK");
    CU_ASSERT_EQUAL(memcmp(REQ(c, XS_DIRECTORY, "/a"), "b\0d", 4), 0);
    CU_ASSERT_STRING_EQUAL(REQ(c, XS_RM, "/a/b"), "OK");
    CU_ASSERT_STRING_EQUAL(REQ(c, XS_READ, "/a/b/c"), "ENOENT");
    CU_ASSERT_STRING_EQUAL(REQ(c, XS_RM, "/a/nothere"), "OK");
    CU_ASSERT_STRING_EQUAL(REQ(c, XS_RM, "/x/nothere"), "ENOENT");
    CU_ASSERT_STRING_EQUAL(REQ(c, XS_RM, "/"), "EINVAL");
    CU_ASSERT_EQUAL(store_get("/a/b/c"), NULL);
}

static void test_bad_paths(void)
{
    struct conn *c;

    reset();
    c = conn_new_memory(0);
    CU_ASSERT_STRING_EQUAL(REQ(c, XS_READ, "/a//b"), "EINVAL");
    CU_ASSERT_STRING_EQUAL(REQ(c, XS_READ, "/a/"), "EINVAL");
    CU_ASSERT_STRING_EQUAL(REQ(c, XS_READ, "/a b"), "EINVAL");
    CU_ASSERT_STRING_EQUAL(req(c, XS_READ, 0, "/tool", 5), "EINVAL"); /* no NUL */
    CU_ASSERT_STRING_EQUAL(req(c, XS_READ, 0, "/tool\0/x", 9), "EINVAL"); /* two args */
    CU_ASSERT_STRING_EQUAL(req(c, XS_WRITE, 0, "/nonul", 6), "EINVAL");
    CU_ASSERT_STRING_EQUAL(req(c, 999, 0, "", 1), "ENOSYS");
    CU_ASSERT_STRING_EQUAL(req(c, XS_WATCH_EVENT, 0, "", 1), "ENOSYS");
}

static void test_oversized_message(void)
{
    struct xsd_sockmsg h = { .type = XS_READ, .len = XENSTORE_PAYLOAD_MAX + 1 };
    struct conn *c;

    reset();
    c = conn_new_memory(5);
    conn_memory_feed(c, &h, sizeof(h));
    CU_ASSERT_TRUE(c->ignored);
    CU_ASSERT_FALSE(conn_has_output(c));
}

static void test_relative_and_perms(void)
{
    struct conn *d0, *d5, *d6;

    reset();
    d0 = conn_new_memory(0);
    d5 = conn_new_memory(5);
    d6 = conn_new_memory(6);
    CU_ASSERT_STRING_EQUAL(REQ(d0, XS_MKDIR, "/local/domain/5"), "OK");
    CU_ASSERT_STRING_EQUAL(REQ(d0, XS_SET_PERMS, "/local/domain/5\0n0\0r5"), "OK");
    /* Dom5 may read its home but not write it. */
    CU_ASSERT_STRING_EQUAL(REQ(d5, XS_DIRECTORY, "/local/domain/5"), "");
    CU_ASSERT_STRING_EQUAL(REQ(d5, XS_WRITE, "data\0x"), "EACCES");
    CU_ASSERT_STRING_EQUAL(REQ(d0, XS_SET_PERMS, "/local/domain/5\0n5"), "OK");
    CU_ASSERT_STRING_EQUAL(req(d5, XS_WRITE, 0, "data/x\0v", 8), "OK");
    /* The new node is Dom5's, inheriting the parent's default. */
    CU_ASSERT_STRING_EQUAL(REQ(d0, XS_GET_PERMS, "/local/domain/5/data/x"), "n5");
    CU_ASSERT_STRING_EQUAL(REQ(d6, XS_READ, "/local/domain/5/data/x"), "EACCES");
    CU_ASSERT_STRING_EQUAL(REQ(d6, XS_READ, "/local/domain/5/data/nothere"), "EACCES");
    CU_ASSERT_STRING_EQUAL(REQ(d5, XS_READ, "data/nothere"), "ENOENT");
    CU_ASSERT_STRING_EQUAL(REQ(d6, XS_READ, "/tool"), "EACCES");
    /* Only Dom0 gives nodes away; the owner may change its perms. */
    CU_ASSERT_STRING_EQUAL(REQ(d5, XS_SET_PERMS, "data/x\0n6"), "EPERM");
    CU_ASSERT_STRING_EQUAL(REQ(d5, XS_SET_PERMS, "data/x\0n5\0r6"), "OK");
    CU_ASSERT_STRING_EQUAL(REQ(d6, XS_READ, "/local/domain/5/data/x"), "v");
    CU_ASSERT_STRING_EQUAL(REQ(d6, XS_WRITE, "/local/domain/5/data/x\0w"), "EACCES");
    CU_ASSERT_STRING_EQUAL(REQ(d5, XS_INTRODUCE, "7\0" "1\0" "2"), "EACCES");
    CU_ASSERT_STRING_EQUAL(REQ(d5, XS_SET_PERMS, "data/x\0q5"), "EINVAL");
}

static void test_transactions(void)
{
    struct conn *a, *b;
    char id1[16], id2[16];

    reset();
    a = conn_new_memory(0);
    b = conn_new_memory(0);
    CU_ASSERT_STRING_EQUAL(REQ(a, XS_WRITE, "/t/x\0" "1"), "OK");
    strcpy(id1, REQ(a, XS_TRANSACTION_START, ""));
    strcpy(id2, REQ(b, XS_TRANSACTION_START, ""));
    CU_ASSERT_STRING_EQUAL(REQ_TX(a, XS_WRITE, atoi(id1), "/t/x\0" "2"), "OK");
    /* Isolation: outside sees the old value until commit. */
    CU_ASSERT_STRING_EQUAL(REQ(b, XS_READ, "/t/x"), "1");
    CU_ASSERT_STRING_EQUAL(REQ_TX(b, XS_READ, atoi(id2), "/t/x"), "1");
    CU_ASSERT_STRING_EQUAL(REQ_TX(b, XS_WRITE, atoi(id2), "/t/y\0" "3"), "OK");
    CU_ASSERT_STRING_EQUAL(REQ_TX(a, XS_TRANSACTION_END, atoi(id1), "T"), "OK");
    CU_ASSERT_STRING_EQUAL(REQ(b, XS_READ, "/t/x"), "2");
    /* b read /t/x before a changed it: conflict, nothing of b applied. */
    CU_ASSERT_STRING_EQUAL(REQ_TX(b, XS_TRANSACTION_END, atoi(id2), "T"), "EAGAIN");
    CU_ASSERT_STRING_EQUAL(REQ(b, XS_READ, "/t/y"), "ENOENT");
    /* Abort drops the changes; an ended transaction is gone. */
    strcpy(id1, REQ(a, XS_TRANSACTION_START, ""));
    CU_ASSERT_STRING_EQUAL(REQ_TX(a, XS_RM, atoi(id1), "/t"), "OK");
    CU_ASSERT_STRING_EQUAL(REQ_TX(a, XS_READ, atoi(id1), "/t/x"), "ENOENT");
    CU_ASSERT_STRING_EQUAL(REQ_TX(a, XS_TRANSACTION_END, atoi(id1), "F"), "OK");
    CU_ASSERT_STRING_EQUAL(REQ(a, XS_READ, "/t/x"), "2");
    CU_ASSERT_STRING_EQUAL(REQ_TX(a, XS_READ, atoi(id1), "/t/x"), "ENOENT");
    CU_ASSERT_STRING_EQUAL(REQ_TX(a, XS_TRANSACTION_END, 0, "X"), "EINVAL");
}

static void test_client_vanishes_mid_transaction(void)
{
    struct conn *a, *w;
    struct msg m;
    char id[16];

    reset();
    a = conn_new_memory(0);
    w = conn_new_memory(0);
    CU_ASSERT_STRING_EQUAL(REQ(w, XS_WATCH, "/v\0tok"), "OK");
    CU_ASSERT_TRUE(take(w, &m)); /* the initial event */
    strcpy(id, REQ(a, XS_TRANSACTION_START, ""));
    CU_ASSERT_STRING_EQUAL(REQ_TX(a, XS_WRITE, atoi(id), "/v/x\0" "1"), "OK");
    CU_ASSERT_STRING_EQUAL(REQ(a, XS_WATCH, "/v\0a"), "OK");
    conn_destroy(a);
    CU_ASSERT_EQUAL(store_get("/v/x"), NULL);
    CU_ASSERT_FALSE(take(w, &m));
    CU_ASSERT_STRING_EQUAL(REQ(w, XS_WRITE, "/v/y\0" "2"), "OK");
    CU_ASSERT_TRUE(take(w, &m)); /* w still served */
}

static void test_watches(void)
{
    struct conn *d0, *d5;
    struct msg m;

    reset();
    d0 = conn_new_memory(0);
    d5 = conn_new_memory(5);
    CU_ASSERT_STRING_EQUAL(REQ(d0, XS_WRITE, "/local/domain/5/x\0" "1"), "OK");
    CU_ASSERT_STRING_EQUAL(REQ(d0, XS_SET_PERMS, "/local/domain/5\0b5"), "OK");
    CU_ASSERT_STRING_EQUAL(REQ(d0, XS_SET_PERMS, "/local/domain/5/x\0b5"), "OK");
    /* Fires once at once, relative path kept relative. */
    CU_ASSERT_STRING_EQUAL(REQ(d5, XS_WATCH, "x\0t1"), "OK");
    CU_ASSERT_TRUE(take(d5, &m));
    CU_ASSERT_EQUAL(m.hdr.type, XS_WATCH_EVENT);
    CU_ASSERT_EQUAL(memcmp(m.data, "x\0t1", 5), 0);
    CU_ASSERT_STRING_EQUAL(REQ(d5, XS_WATCH, "x\0t1"), "EEXIST");
    CU_ASSERT_STRING_EQUAL(REQ(d0, XS_WATCH, "/local\0t0"), "OK");
    CU_ASSERT_TRUE(take(d0, &m));
    CU_ASSERT_STRING_EQUAL(REQ(d0, XS_WRITE, "/local/domain/5/x/sub\0" "2"), "OK");
    CU_ASSERT_TRUE(take(d0, &m));
    CU_ASSERT_EQUAL(memcmp(m.data, "/local/domain/5/x/sub\0t0", 25), 0);
    CU_ASSERT_TRUE(take(d5, &m));
    CU_ASSERT_STRING_EQUAL(m.data, "x/sub");
    /* A removal fires the watches below the removed node. */
    CU_ASSERT_STRING_EQUAL(REQ(d0, XS_RM, "/local/domain/5"), "OK");
    CU_ASSERT_TRUE(take(d5, &m));
    CU_ASSERT_STRING_EQUAL(m.data, "x");
    /* A node Dom5 cannot read does not tell Dom5 about itself. */
    CU_ASSERT_STRING_EQUAL(REQ(d5, XS_WATCH, "/tool\0t2"), "OK");
    CU_ASSERT_TRUE(take(d5, &m));
    CU_ASSERT_STRING_EQUAL(REQ(d0, XS_WRITE, "/tool/secret\0s"), "OK");
    CU_ASSERT_FALSE(take(d5, &m));
    CU_ASSERT_STRING_EQUAL(REQ(d5, XS_UNWATCH, "/tool\0t2"), "OK");
    CU_ASSERT_STRING_EQUAL(REQ(d5, XS_UNWATCH, "/tool\0t2"), "ENOENT");
}

static void test_special_watches(void)
{
    struct conn *d0, *d5;
    struct msg m;

    reset();
    d0 = conn_new_memory(0);
    d5 = conn_new_memory(5);
    CU_ASSERT_STRING_EQUAL(REQ(d0, XS_WATCH, "@introduceDomain\0i"), "OK");
    CU_ASSERT_TRUE(take(d0, &m));
    CU_ASSERT_STRING_EQUAL(REQ(d0, XS_WATCH, "@releaseDomain\0r"), "OK");
    CU_ASSERT_TRUE(take(d0, &m));
    CU_ASSERT_STRING_EQUAL(REQ(d5, XS_WATCH, "@releaseDomain\0r5"), "OK");
    CU_ASSERT_TRUE(take(d5, &m));
    CU_ASSERT_STRING_EQUAL(REQ(d0, XS_INTRODUCE, "3\0" "4660\0" "5"), "OK");
    CU_ASSERT_TRUE(take(d0, &m));
    CU_ASSERT_EQUAL(memcmp(m.data, "@introduceDomain\0i", 19), 0);
    CU_ASSERT_STRING_EQUAL(REQ(d0, XS_IS_DOMAIN_INTRODUCED, "3"), "T");
    CU_ASSERT_STRING_EQUAL(REQ(d0, XS_IS_DOMAIN_INTRODUCED, "4"), "F");
    CU_ASSERT_STRING_EQUAL(REQ(d0, XS_GET_DOMAIN_PATH, "3"), "/local/domain/3");
    CU_ASSERT_STRING_EQUAL(REQ(d0, XS_RELEASE, "3"), "OK");
    CU_ASSERT_TRUE(take(d0, &m));
    CU_ASSERT_STRING_EQUAL(m.data, "@releaseDomain");
    CU_ASSERT_FALSE(take(d5, &m)); /* n0 on @releaseDomain */
    CU_ASSERT_STRING_EQUAL(REQ(d0, XS_RELEASE, "3"), "ENOENT");
    CU_ASSERT_STRING_EQUAL(REQ(d0, XS_INTRODUCE, "x\0" "1\0" "2"), "EINVAL");
}

static enum domain_state fake_state;
static enum domain_state fake_get_state(uint32_t domid)
{
    return fake_state;
}
static int fake_connect(uint32_t domid, uint64_t mfn, uint32_t port, struct conn **out)
{
    *out = conn_new_memory(domid);
    return *out ? 0 : ENOMEM;
}

static void test_dying_domain(void)
{
    static const struct domain_backend fake = { .connect = fake_connect, .state = fake_get_state };
    struct conn *d0;
    struct msg m;

    reset();
    domain_set_backend(&fake);
    d0 = conn_new_memory(0);
    CU_ASSERT_STRING_EQUAL(REQ(d0, XS_INTRODUCE, "9\0" "1\0" "2"), "OK");
    CU_ASSERT_STRING_EQUAL(REQ(d0, XS_WATCH, "@releaseDomain\0r"), "OK");
    CU_ASSERT_TRUE(take(d0, &m));
    fake_state = DOMAIN_RUNNING;
    domain_check_all();
    CU_ASSERT_FALSE(take(d0, &m));
    fake_state = DOMAIN_DYING;
    domain_check_all();
    CU_ASSERT_TRUE(take(d0, &m));
    CU_ASSERT_FALSE(domain_is_introduced(9));
    domain_set_backend(NULL);
}

static void test_quotas(void)
{
    struct conn *d0, *d5;
    char buf[3000];
    unsigned ok = 0;

    reset();
    d0 = conn_new_memory(0);
    d5 = conn_new_memory(5);
    CU_ASSERT_STRING_EQUAL(REQ(d0, XS_MKDIR, "/local/domain/5"), "OK");
    CU_ASSERT_STRING_EQUAL(REQ(d0, XS_SET_PERMS, "/local/domain/5\0b5"), "OK");
    memcpy(buf, "big\0", 4);
    memset(buf + 4, 'x', 2049);
    CU_ASSERT_STRING_EQUAL(req(d5, XS_WRITE, 0, buf, 4 + 2049), "ENOSPC");
    CU_ASSERT_STRING_EQUAL(req(d5, XS_WRITE, 0, buf, 4 + 2048), "OK");
    CU_ASSERT_STRING_EQUAL(req(d0, XS_WRITE, 0, buf, 4 + 2049), "OK"); /* Dom0: no quota */
    for (int i = 0; i < 1100; i++) {
        char p[32];
        int n = snprintf(p, sizeof(p), "n%d", i);

        if (!strcmp(req(d5, XS_MKDIR, 0, p, n + 1), "OK"))
            ok++;
    }
    CU_ASSERT_EQUAL(store_owned(5), 1000);
    CU_ASSERT_TRUE(ok < 1000);
    for (unsigned i = 0; i < 10; i++)
        CU_ASSERT_STRING_NOT_EQUAL(REQ(d5, XS_TRANSACTION_START, ""), "ENOSPC");
    CU_ASSERT_STRING_EQUAL(REQ(d5, XS_TRANSACTION_START, ""), "ENOSPC");
    for (int i = 0; i < 128; i++) {
        char p[32];
        int n = snprintf(p, sizeof(p), "w%c%d", 0, i);

        CU_ASSERT_STRING_EQUAL(req(d5, XS_WATCH, 0, p, n + 1), "OK");
        conn_memory_take(d5, buf, sizeof(buf));
    }
    CU_ASSERT_STRING_EQUAL(REQ(d5, XS_WATCH, "w\0x"), "E2BIG");
}

static void test_directory_part(void)
{
    struct conn *c;
    const char *r;

    reset();
    c = conn_new_memory(0);
    CU_ASSERT_STRING_EQUAL(REQ(c, XS_MKDIR, "/d/aa"), "OK");
    CU_ASSERT_STRING_EQUAL(REQ(c, XS_MKDIR, "/d/bb"), "OK");
    r = REQ(c, XS_DIRECTORY_PART, "/d\0" "3");
    r += strlen(r) + 1; /* generation */
    CU_ASSERT_EQUAL(memcmp(r, "bb\0", 4), 0);
    CU_ASSERT_STRING_EQUAL(REQ(c, XS_DIRECTORY_PART, "/d\0" "2"), "EINVAL");
}

static void test_ring(void)
{
    static struct xenstore_domain_interface intf;
    char buf[2000], out[2000];

    memset(&intf, 0, sizeof(intf));
    memset(buf, 'q', sizeof(buf));
    intf.req_cons = intf.req_prod = 0xfffffe00u; /* indexes wrap */
    CU_ASSERT_EQUAL(ring_write_req(&intf, buf, sizeof(buf)), XENSTORE_RING_SIZE);
    CU_ASSERT_EQUAL(ring_write_req(&intf, buf, 1), 0);
    CU_ASSERT_EQUAL(ring_read_req(&intf, out, sizeof(out)), XENSTORE_RING_SIZE);
    CU_ASSERT_EQUAL(memcmp(out, buf, XENSTORE_RING_SIZE), 0);
    intf.req_prod = intf.req_cons + XENSTORE_RING_SIZE + 1; /* a lying guest */
    CU_ASSERT_EQUAL(ring_read_req(&intf, out, sizeof(out)), -1);
}

/* The real daemon on a socket, through the client library. */
static void test_daemon_end_to_end(void)
{
    char sock[256], pidf[256];
    struct xs *xs = NULL;
    xs_tx_t tx;
    char *v, **ev;
    unsigned n;
    size_t len;
    pid_t pid;

    snprintf(sock, sizeof(sock), "%s/xs.sock", tool_test_tmpdir());
    snprintf(pidf, sizeof(pidf), "%s/xs.pid", tool_test_tmpdir());
    pid = fork();
    if (pid == 0) {
        execl("build/tools/bin/xenstored", "xenstored", "-N", "-D", "-s", sock, "-F", pidf,
              "-L", "/dev/null", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 200 && !xs; i++) {
        xs = xs_open(sock);
        if (!xs)
            usleep(10000);
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(xs);
    CU_ASSERT_EQUAL(xs_write(xs, XS_TX_NONE, "/e2e/a", "v1", 2), 0);
    CU_ASSERT_EQUAL(xs_watch(xs, "/e2e", "tok"), 0);
    CU_ASSERT_EQUAL(xs_write(xs, XS_TX_NONE, "/e2e/b", "v2", 2), 0);
    CU_ASSERT_TRUE(xs_watch_pending(xs)); /* queued while waiting for the ack */
    ev = xs_read_watch(xs, &n);
    CU_ASSERT_STRING_EQUAL(ev ? ev[0] : "", "/e2e");
    free(ev);
    ev = xs_read_watch(xs, &n);
    CU_ASSERT_STRING_EQUAL(ev ? ev[1] : "", "tok");
    free(ev);
    v = xs_read(xs, XS_TX_NONE, "/e2e/a", &len);
    CU_ASSERT_STRING_EQUAL(v ? v : "", "v1");
    free(v);
    CU_ASSERT_PTR_NULL(xs_read(xs, XS_TX_NONE, "/e2e/none", &len));
    CU_ASSERT_EQUAL(errno, ENOENT);
    CU_ASSERT_EQUAL(xs_tx_start(xs, &tx), 0);
    CU_ASSERT_EQUAL(xs_write(xs, tx, "/e2e/c", "v3", 2), 0);
    CU_ASSERT_EQUAL(xs_tx_end(xs, tx, false), 0);
    v = xs_get_domain_path(xs, 4);
    CU_ASSERT_STRING_EQUAL(v ? v : "", "/local/domain/4");
    free(v);
    CU_ASSERT_EQUAL(access(pidf, F_OK), 0);

    /*
     * Pipelined writes (xs_defer_begin): 200 nodes, more than one batch of
     * answers, a bad path among them whose error comes out at the end, the
     * rest written, and a watch event that arrived meanwhile still queued.
     */
    while (xs_watch_pending(xs))
        free(xs_read_watch(xs, &n));
    xs_defer_begin(xs);
    for (int i = 0; i < 200; i++) {
        char path[32], val[16];

        snprintf(path, sizeof(path), i == 150 ? "/e2e/bad//%d" : "/e2e/p/%d", i);
        snprintf(val, sizeof(val), "v%d", i);
        CU_ASSERT_EQUAL(xs_write(xs, XS_TX_NONE, path, val, strlen(val)), 0);
    }
    CU_ASSERT_EQUAL(xs_defer_end(xs), -EINVAL);
    v = xs_read(xs, XS_TX_NONE, "/e2e/p/199", &len);
    CU_ASSERT_STRING_EQUAL(v ? v : "", "v199");
    free(v);
    v = xs_read(xs, XS_TX_NONE, "/e2e/p/0", &len);
    CU_ASSERT_STRING_EQUAL(v ? v : "", "v0");
    free(v);
    CU_ASSERT_TRUE(xs_watch_pending(xs)); /* /e2e is watched: events were queued */
    CU_ASSERT_EQUAL(xs_defer_end(xs), 0); /* nothing left over */

    /*
     * A transaction committed behind its pipelined writes (dom_xs.c): the
     * commit's answer comes after theirs, the nodes are there; a failed
     * write among them comes out of xs_defer_end, after the commit.
     */
    CU_ASSERT_EQUAL(xs_tx_start(xs, &tx), 0);
    xs_defer_begin(xs);
    CU_ASSERT_EQUAL(xs_write(xs, tx, "/e2e/t/a", "ta", 2), 0);
    CU_ASSERT_EQUAL(xs_mkdir(xs, tx, "/e2e/t/d"), 0);
    CU_ASSERT_EQUAL(xs_tx_end(xs, tx, false), 0);
    CU_ASSERT_EQUAL(xs_defer_end(xs), 0);
    v = xs_read(xs, XS_TX_NONE, "/e2e/t/a", &len);
    CU_ASSERT_STRING_EQUAL(v ? v : "", "ta");
    free(v);
    CU_ASSERT_EQUAL(xs_tx_start(xs, &tx), 0);
    xs_defer_begin(xs);
    CU_ASSERT_EQUAL(xs_write(xs, tx, "/e2e/t//bad", "x", 1), 0);
    CU_ASSERT_EQUAL(xs_write(xs, tx, "/e2e/t/b", "tb", 2), 0);
    CU_ASSERT_EQUAL(xs_tx_end(xs, tx, false), 0);
    CU_ASSERT_EQUAL(xs_defer_end(xs), -EINVAL);
    /* Removals pipelined (dom_destroy): answered together at xs_defer_end. */
    xs_defer_begin(xs);
    CU_ASSERT_EQUAL(xs_rm(xs, XS_TX_NONE, "/e2e/t/a"), 0);
    CU_ASSERT_EQUAL(xs_rm(xs, XS_TX_NONE, "/e2e/t"), 0);
    CU_ASSERT_EQUAL(xs_defer_end(xs), 0);
    CU_ASSERT_PTR_NULL(xs_read(xs, XS_TX_NONE, "/e2e/t/b", &len));
    CU_ASSERT_EQUAL(errno, ENOENT);

    /* Reads in one round trip, behind a pipelined write: a missing node is NULL. */
    {
        const char *paths[] = { "/e2e/p/0", "/e2e/none", "/e2e/m", "/e2e/p/199" };
        char *vals[4];

        xs_defer_begin(xs);
        CU_ASSERT_EQUAL(xs_write(xs, XS_TX_NONE, "/e2e/m", "mm", 2), 0);
        CU_ASSERT_EQUAL(xs_read_many(xs, XS_TX_NONE, paths, 4, vals), 0);
        CU_ASSERT_EQUAL(xs_defer_end(xs), 0);
        CU_ASSERT_STRING_EQUAL(vals[0] ? vals[0] : "", "v0");
        CU_ASSERT_PTR_NULL(vals[1]);
        CU_ASSERT_STRING_EQUAL(vals[2] ? vals[2] : "", "mm");
        CU_ASSERT_STRING_EQUAL(vals[3] ? vals[3] : "", "v199");
        for (int i = 0; i < 4; i++)
            free(vals[i]);
    }
    /* Requests of mixed kinds in one round trip (dom_destroy): a directory, a read, a miss. */
    {
        const struct xs_ask asks[] = { { XS_DIRECTORY, "/e2e/t0" }, { XS_READ, "/e2e/m" },
                                       { XS_DIRECTORY, "/e2e/none" } };
        char *vals[3], **names;
        size_t lens[3];
        unsigned k = 0;

        CU_ASSERT_EQUAL(xs_write(xs, XS_TX_NONE, "/e2e/t0/x", "1", 1), 0);
        CU_ASSERT_EQUAL(xs_write(xs, XS_TX_NONE, "/e2e/t0/y", "2", 1), 0);
        CU_ASSERT_EQUAL(xs_ask_many(xs, XS_TX_NONE, asks, 3, vals, lens), 0);
        names = xs_split_list(vals[0], lens[0], &k);
        CU_ASSERT_EQUAL_FATAL(k, 2);
        CU_ASSERT_STRING_EQUAL(names[0], "x");
        CU_ASSERT_STRING_EQUAL(names[1], "y");
        CU_ASSERT_STRING_EQUAL(vals[1] ? vals[1] : "", "mm");
        CU_ASSERT_EQUAL(lens[1], 2);
        CU_ASSERT_PTR_NULL(vals[2]);
        CU_ASSERT_PTR_NULL(xs_split_list(vals[2], 0, &k));
        free(names);
        for (int i = 0; i < 3; i++)
            free(vals[i]);
    }
    xs_close(xs);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    CU_ASSERT_NOT_EQUAL(access(sock, F_OK), 0);
}

/*
 * A pipelined batch is taken in one read and answered in one write: a
 * peer woken per answer costs a context switch per message in Dom0.
 */
struct counting_peer {
    char in[4096], out[4096];
    size_t in_len, in_off, out_len;
    unsigned reads, writes;
};

static long counting_read(struct conn *c, void *buf, size_t len)
{
    struct counting_peer *p = c->priv;
    size_t n = p->in_len - p->in_off < len ? p->in_len - p->in_off : len;

    p->reads++;
    memcpy(buf, p->in + p->in_off, n);
    p->in_off += n;
    return (long)n;
}

static long counting_write(struct conn *c, const void *buf, size_t len)
{
    struct counting_peer *p = c->priv;
    size_t n = sizeof(p->out) - p->out_len < len ? sizeof(p->out) - p->out_len : len;

    p->writes++;
    memcpy(p->out + p->out_len, buf, n);
    p->out_len += n;
    return (long)n;
}

static const struct conn_ops counting_ops = { .read = counting_read, .write = counting_write };

static void test_batched_io(void)
{
    static struct counting_peer peer;
    struct xsd_sockmsg h = { .type = XS_WRITE, .len = 6 };
    struct conn *c;
    size_t off = 0;
    unsigned answers = 0;

    reset();
    memset(&peer, 0, sizeof(peer));
    for (uint32_t i = 0; i < 10; i++) {
        h.req_id = i;
        memcpy(peer.in + peer.in_len, &h, sizeof(h));
        memcpy(peer.in + peer.in_len + sizeof(h), "/b/x\0v", 6);
        peer.in[peer.in_len + sizeof(h) + 3] = (char)('0' + i); /* /b/0 .. /b/9 */
        peer.in_len += sizeof(h) + 6;
    }
    c = conn_new(0, &counting_ops, &peer);
    conn_handle_input(c);
    CU_ASSERT_TRUE(conn_flush(c));
    CU_ASSERT_EQUAL(peer.writes, 1);
    CU_ASSERT(peer.reads <= 2);
    while (off + sizeof(h) <= peer.out_len) {
        struct xsd_sockmsg a;

        memcpy(&a, peer.out + off, sizeof(a));
        CU_ASSERT_EQUAL(a.req_id, answers);
        CU_ASSERT_EQUAL(memcmp(peer.out + off + sizeof(a), "OK", 3), 0);
        off += sizeof(a) + a.len;
        answers++;
    }
    CU_ASSERT_EQUAL(answers, 10);
    CU_ASSERT_PTR_NOT_NULL(store_get("/b/9"));
    conn_destroy(c);
}

static void xenstore_suite(void)
{
    CU_pSuite s = CU_add_suite("xenstore", NULL, NULL);

    CU_add_test(s, "xs_initial_tree", test_initial_tree);
    CU_add_test(s, "xs_write_read_rm", test_write_read_rm);
    CU_add_test(s, "xs_bad_paths", test_bad_paths);
    CU_add_test(s, "xs_oversized_message", test_oversized_message);
    CU_add_test(s, "xs_relative_and_perms", test_relative_and_perms);
    CU_add_test(s, "xs_transactions", test_transactions);
    CU_add_test(s, "xs_client_vanishes_mid_transaction", test_client_vanishes_mid_transaction);
    CU_add_test(s, "xs_watches", test_watches);
    CU_add_test(s, "xs_special_watches", test_special_watches);
    CU_add_test(s, "xs_dying_domain", test_dying_domain);
    CU_add_test(s, "xs_quotas", test_quotas);
    CU_add_test(s, "xs_directory_part", test_directory_part);
    CU_add_test(s, "xs_ring", test_ring);
    CU_add_test(s, "xs_batched_io", test_batched_io);
    CU_add_test(s, "xs_daemon_end_to_end", test_daemon_end_to_end);
}
TOOL_TEST_SUITE(xenstore_suite);
