/*
 * The floor of supervisor start: start the command the way an init does at the least (one
 * more exec: vfork, execv, wait) and exit with its status. No signals, no reaping of others,
 * no options: what any init that is a program of its own cannot do without.
 * Usage: floor COMMAND [ARG...]
 */
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int status;
	pid_t pid;

	if (argc < 2)
		return 125;
	pid = vfork();
	if (pid == 0) {
		execv(argv[1], argv + 1);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 125;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
