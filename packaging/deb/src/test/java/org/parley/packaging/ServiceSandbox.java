package org.parley.packaging;

import java.util.ArrayList;
import java.util.List;

/**
 * The file-system view the unit's hardening gives the service, made with a private mount namespace
 * (unshare --mount) instead of systemd: {@code ProtectSystem=strict} (everything read-only but the
 * API file systems /proc, /sys and /dev), {@code ReadWritePaths=} writable again, {@code PrivateTmp=}
 * as empty /tmp and /var/tmp of its own. So a service that needs to write anywhere else fails here as
 * it would under systemd. Other hardening settings (system-call and address-family filters) need
 * systemd itself; systemd-analyze verify checks how they are written.
 */
final class ServiceSandbox {

    private ServiceSandbox() {
    }

    /** The command prefix that runs the rest of a command line inside that view. */
    static List<String> prefix(SystemdUnit unit) {
        String protect = unit.service("ProtectSystem");
        if (!protect.equals("strict")) {
            throw new AssertionError("ProtectSystem=" + protect + ": this test reproduces only strict");
        }
        List<String> writable = new ArrayList<>();
        for (String line : unit.all("Service", "ReadWritePaths")) {
            for (String path : line.split("\\s+")) {
                if (!path.matches("/[A-Za-z0-9._/-]*")) {
                    throw new AssertionError("ReadWritePaths=" + line + ": '" + path + "' is not a plain absolute path");
                }
                writable.add(path);
            }
        }
        String keep = String.join(" ", writable);
        StringBuilder script = new StringBuilder("set -e\n");
        // A path made a mount point of its own keeps its rw flag when its parent mount turns read-only.
        script.append("for rw in ").append(keep).append("; do mount --bind \"$rw\" \"$rw\"; done\n");
        script.append("awk '{print $5}' /proc/self/mountinfo | while read -r mp; do\n")
                .append("  case \"$mp\" in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue;; esac\n")
                .append("  for rw in ").append(keep).append("; do [ \"$mp\" = \"$rw\" ] && continue 2; done\n")
                .append("  mount -o remount,bind,ro \"$mp\"\n")
                .append("done\n");
        if (unit.value("Service", "PrivateTmp").orElse("false").equals("true")) {
            script.append("mount -t tmpfs -o mode=1777 tmpfs /tmp\nmount -t tmpfs -o mode=1777 tmpfs /var/tmp\n");
        }
        script.append("exec \"$@\"\n");
        return List.of("unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script.toString(), "sandbox");
    }
}
