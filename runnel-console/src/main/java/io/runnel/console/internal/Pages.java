// SPDX-License-Identifier: Apache-2.0

package io.runnel.console.internal;

import java.util.List;

/** What the templates show: one record per page and per row, text already formatted. */
final class Pages {
    private Pages() {
    }

    /** A link in a list or a menu. */
    record Link(String label, String href) {
    }

    /**
     * What every page shows around its own part.
     *
     * @param app        the app's name
     * @param redis      where it reads, without credentials
     * @param base       the console's base path, ending with {@code /}
     * @param title      the page's title
     * @param nav        which menu entry is the page's
     * @param actions    whether the console offers actions
     * @param csrf       the signed-in session's CSRF value; null when not signed in
     * @param processors links to the processors' pages
     * @param streams    links to the streams' dead letters
     * @param notice     a message about what was just done, or null
     * @param error      a message about what was refused, or null
     */
    record Shell(String app, String redis, String base, String title, String nav, boolean actions, String csrf,
                 List<Link> processors, List<Link> streams, String notice, String error) {
        boolean signedIn() {
            return csrf != null;
        }

        Shell titled(String newTitle, String newNav) {
            return new Shell(app, redis, base, newTitle, newNav, actions, csrf, processors, streams, notice, error);
        }

        Shell withNotice(String text) {
            return new Shell(app, redis, base, title, nav, actions, csrf, processors, streams, text, error);
        }

        Shell withError(String text) {
            return new Shell(app, redis, base, title, nav, actions, csrf, processors, streams, notice, text);
        }
    }

    /** What needs a look, over every processor. */
    record Health(int stuck, int poisoned, int halted, int parkedKeys, long deadLetters, int goneMembers) {
        boolean healthy() {
            return stuck == 0 && poisoned == 0 && halted == 0 && parkedKeys == 0 && deadLetters == 0 && goneMembers == 0;
        }
    }

    record StreamRow(String name, int partitions, String retention, long length, long deadLetters, String deadHref) {
    }

    record ProcessorRow(String name, String href, String stream, int members, long generation, String lag,
                        long pending, String oldestPending, int stuck, int poisoned, int halted, int parked) {
        boolean trouble() {
            return stuck > 0 || poisoned > 0 || halted > 0;
        }
    }

    record OverviewPage(Shell shell, String at, String leader, Health health, List<StreamRow> streams,
                        List<ProcessorRow> processors) {
    }

    record SortLink(String label, String href, boolean current) {
    }

    /**
     * One partition of a processor.
     *
     * @param trouble whether it is stuck, poisoned or halted: shown first, marked
     */
    record PartitionRow(int partition, String owner, String leaseToken, String heartbeat, String lag, long pending,
                        String oldestPending,
                        String stuckSince, String inFlight, int parked, String mark, boolean trouble) {
    }

    record MemberRow(String processor, String executor, boolean staticMember, String joinedAt, String heartbeat,
                     String partitions, boolean gone) {
    }

    record ProcessorPage(Shell shell, String name, String stream, long generation, String retention,
                         List<SortLink> sorts, List<PartitionRow> partitions, List<MemberRow> members,
                         String lagChart, String rateChart, String parkedHref, String historyNote) {
    }

    record MembersPage(Shell shell, List<MemberRow> members) {
    }

    record ProcessorCharts(String name, String href, String lagChart, String rateChart, List<String> rebalances) {
    }

    record HistoryPage(Shell shell, String window, List<ProcessorCharts> processors) {
    }

    record DeadRow(String id, int partition, String eventId, String processor, String errorClass, String error,
                   String failedAt, String record) {
    }

    /**
     * A replay's dry run: what it would re-send, and the proof its confirmation carries.
     *
     * @param ids   the selected dead-letter ids, comma-separated
     * @param proof ties the confirmation to this dry run, shown to this session
     */
    record Preview(List<DeadRow> rows, String ids, String proof) {
    }

    record DeadPage(Shell shell, String stream, String error, String partition, String since,
                    List<String> errorClasses, List<DeadRow> rows, int total, Preview preview) {
    }

    record ParkedRow(String key, int partition, String state, long events, String firstId, String parkedAt,
                     String error) {
    }

    record ParkedPage(Shell shell, String processor, List<ParkedRow> rows) {
    }

    record SignInPage(Shell shell) {
    }

    record ErrorPage(Shell shell, int status, String message) {
    }
}
