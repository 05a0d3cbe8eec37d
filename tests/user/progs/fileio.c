/* File I/O in a fresh temporary directory: create, write, read back, seek, stat,
 * rename, list, unlink, rmdir. Prints only what does not depend on the host. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
    char dir[] = "/tmp/ferry-fileio-XXXXXX";
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    char path[256], path2[256];
    snprintf(path, sizeof(path), "%s/a.txt", dir);
    snprintf(path2, sizeof(path2), "%s/b.txt", dir);
    FILE *f = fopen(path, "w");
    for (int i = 0; i < 1000; i++)
        fprintf(f, "line %d %s\n", i, i % 3 ? "fizz" : "buzz");
    fclose(f);
    struct stat st;
    stat(path, &st);
    printf("size=%lld regular=%d mode=%o\n", (long long)st.st_size, S_ISREG(st.st_mode), st.st_mode & 0777 & ~022);
    int fd = open(path, O_RDONLY);
    char buf[64];
    lseek(fd, 100, SEEK_SET);
    ssize_t n = read(fd, buf, 20);
    printf("read %zd: %.20s\n", n, buf);
    n = pread(fd, buf, 10, 0);
    printf("pread %zd: %.10s\n", n, buf);
    struct stat fst;
    fstat(fd, &fst);
    printf("fstat size matches=%d\n", fst.st_size == st.st_size);
    close(fd);
    fd = open(path, O_WRONLY | O_APPEND);
    write(fd, "tail\n", 5);
    close(fd);
    rename(path, path2);
    printf("old exists=%d new exists=%d\n", access(path, F_OK) == 0, access(path2, F_OK) == 0);
    f = fopen(path2, "r");
    int lines = 0;
    char line[128];
    while (fgets(line, sizeof(line), f))
        lines++;
    fclose(f);
    printf("lines=%d last=%s", lines, line);
    mkdir(path, 0755);
    DIR *d = opendir(dir);
    int entries = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        entries++;
    closedir(d);
    printf("entries=%d\n", entries);
    fd = open(path, O_RDONLY | O_DIRECTORY);
    printf("O_DIRECTORY open ok=%d\n", fd >= 0);
    close(fd);
    fd = open(path2, O_RDONLY | O_DIRECTORY);
    printf("O_DIRECTORY on file fails=%d\n", fd < 0);
    int flags = fcntl(1, F_GETFL);
    printf("stdout writable=%d\n", (flags & O_ACCMODE) != O_RDONLY);
    char cwd[512];
    printf("getcwd ok=%d\n", getcwd(cwd, sizeof(cwd)) != NULL);
    unlink(path2);
    rmdir(path);
    printf("rmdir=%d\n", rmdir(dir));
    return 0;
}
