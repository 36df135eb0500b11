/*
 * The command of the boot benchmark: write two lines to the kernel's log (/dev/kmsg), one as
 * it starts and one as it ends, so that the serial log carries the kernel's own timestamps of
 * both moments, on the same clock as "Run /init as init process" and "reboot: Power down".
 * A static program of its own, not a shell's echo: its code is as new to QEMU's translator
 * under either init (a busybox init has already run busybox's code), and no shell starts.
 * Exit status 0, or 125 when /dev/kmsg cannot be written.
 */
#include <fcntl.h>
#include <unistd.h>

#define START "bench: command starts\n"
#define END "bench: command ends\n"

int main(void)
{
	int fd = open("/dev/kmsg", O_WRONLY);

	if (fd < 0 || write(fd, START, sizeof START - 1) < 0)
		return 125;
	if (write(fd, END, sizeof END - 1) < 0)
		return 125;
	return 0;
}
