/*
 * The floor of supervisor start: start the command the way an init does at the least (one
 * more exec: vfork, execv, wait) and exit with its status. No signals, no reaping of others,
 * no options: what any init that is a program of its own cannot do without.
 * Usage: floor COMMAND [ARG...]
 *
 * Built again with one step of a real init each, to measure what that step costs:
 *   -DSUBREAPER  become a child subreaper first (prctl), as an init that is not PID 1 does
 *   -DPGRP       put the command in a process group of its own (setpgid in the child)
 *   -DSIGWAIT    block every signal and wait for SIGCHLD with sigwaitinfo, then reap with
 *                waitpid(WNOHANG), as an init that forwards signals does
 */
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int status;
	pid_t pid;
#ifdef SIGWAIT
	sigset_t all, none;
	siginfo_t info;

	sigfillset(&all);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &all, 0);
#endif

	if (argc < 2)
		return 125;
#ifdef SUBREAPER
	prctl(PR_SET_CHILD_SUBREAPER, 1);
#endif
	pid = vfork();
	if (pid == 0) {
#ifdef PGRP
		setpgid(0, 0);
#endif
#ifdef SIGWAIT
		sigprocmask(SIG_SETMASK, &none, 0);
#endif
		execv(argv[1], argv + 1);
		_exit(127);
	}
	if (pid < 0)
		return 125;
#ifdef SIGWAIT
	while (sigwaitinfo(&all, &info) != SIGCHLD || waitpid(pid, &status, WNOHANG) != pid)
		;
#else
	if (waitpid(pid, &status, 0) < 0)
		return 125;
#endif
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
