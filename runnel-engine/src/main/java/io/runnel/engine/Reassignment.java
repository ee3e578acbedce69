// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an executor must do to go from the partitions it owns to those the membership
 * assigns it: release the ones no longer assigned (first), acquire the new ones. A pure
 * function, so the rule is tested without Redis or threads.
 *
 * @param toRelease owned but no longer assigned, in partition order
 * @param toAcquire assigned but not owned, in partition order
 */
record Reassignment(Set<Integer> toRelease, Set<Integer> toAcquire) {

    static Reassignment between(Set<Integer> owned, Set<Integer> assigned) {
        Set<Integer> release = new TreeSet<>(owned);
        release.removeAll(assigned);
        Set<Integer> acquire = new TreeSet<>(assigned);
        acquire.removeAll(owned);
        return new Reassignment(Collections.unmodifiableSet(release), Collections.unmodifiableSet(acquire));
    }

    boolean isEmpty() {
        return toRelease.isEmpty() && toAcquire.isEmpty();
    }
}
