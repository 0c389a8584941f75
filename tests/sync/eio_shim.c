/* An I/O-error disk for tests, at the C library's boundary (LD_PRELOAD): write(2), pwrite(2) and
 * writev(2) on a regular file fail with EIO when
 *   EIO_UNDER=/some/dir   the file lies under that folder (a blob store on a failing disk), or
 *   EIO_MARKER=text       the bytes written contain that text (the SQLite WAL frame of one page of the
 *                         feed: SQLite reports "disk I/O error" for that transaction only).
 * Everything else is passed to the real functions. Built by tests/sync/test_faults_eio.py. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static int under(int fd) {
    const char *prefix = getenv("EIO_UNDER");
    if (prefix == NULL || *prefix == '\0') return 0;
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0) return 0;
    path[n] = '\0';
    return strncmp(path, prefix, strlen(prefix)) == 0;
}

static int marked(const void *buf, size_t count) {
    const char *marker = getenv("EIO_MARKER");
    if (marker == NULL || *marker == '\0' || buf == NULL) return 0;
    return memmem(buf, count, marker, strlen(marker)) != NULL;
}

static int regular(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

static int failing(int fd, const void *buf, size_t count) {
    return regular(fd) && (under(fd) || marked(buf, count));
}

ssize_t write(int fd, const void *buf, size_t count) {
    static ssize_t (*real)(int, const void *, size_t);
    if (real == NULL) real = dlsym(RTLD_NEXT, "write");
    if (failing(fd, buf, count)) { errno = EIO; return -1; }
    return real(fd, buf, count);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset) {
    static ssize_t (*real)(int, const void *, size_t, off_t);
    if (real == NULL) real = dlsym(RTLD_NEXT, "pwrite");
    if (failing(fd, buf, count)) { errno = EIO; return -1; }
    return real(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off_t offset) {
    static ssize_t (*real)(int, const void *, size_t, off_t);
    if (real == NULL) real = dlsym(RTLD_NEXT, "pwrite64");
    if (failing(fd, buf, count)) { errno = EIO; return -1; }
    return real(fd, buf, count, offset);
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt) {
    static ssize_t (*real)(int, const struct iovec *, int);
    if (real == NULL) real = dlsym(RTLD_NEXT, "writev");
    if (regular(fd)) {
        if (under(fd)) { errno = EIO; return -1; }
        for (int i = 0; i < iovcnt; i++)
            if (marked(iov[i].iov_base, iov[i].iov_len)) { errno = EIO; return -1; }
    }
    return real(fd, iov, iovcnt);
}
