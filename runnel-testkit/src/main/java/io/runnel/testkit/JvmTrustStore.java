// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * The JVM's trust store set as a user sets it, {@code -Djavax.net.ssl.trustStore=...
 * -Djavax.net.ssl.trustStorePassword=...}, until closed. The JDK reads those properties
 * into its default {@link SSLContext} only once per JVM, which an earlier test may have
 * done already, so the default context is made anew from them as well: as if the JVM
 * had been started with them. Closing puts back the properties and the context.
 */
final class JvmTrustStore implements AutoCloseable {
    private static final List<String> PROPERTIES = List.of(
            "javax.net.ssl.trustStore", "javax.net.ssl.trustStorePassword", "javax.net.ssl.trustStoreType");

    private final Map<String, String> previous;
    private final SSLContext previousDefault;

    private JvmTrustStore(Map<String, String> previous, SSLContext previousDefault) {
        this.previous = previous;
        this.previousDefault = previousDefault;
    }

    static JvmTrustStore use(Path store, String password) {
        Map<String, String> previous = new LinkedHashMap<>();
        for (String property : PROPERTIES) {
            previous.put(property, System.getProperty(property));
        }
        SSLContext previousDefault;
        try {
            previousDefault = SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no default SSL context", e);
        }
        System.setProperty("javax.net.ssl.trustStore", store.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", password);
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
        JvmTrustStore set = new JvmTrustStore(previous, previousDefault);
        try {
            // No trust managers given: the JDK makes them from the properties just set.
            SSLContext fromProperties = SSLContext.getInstance("TLS");
            fromProperties.init(null, null, null);
            SSLContext.setDefault(fromProperties);
        } catch (Exception e) {
            set.close();
            throw new IllegalStateException("cannot make an SSL context from the trust store", e);
        }
        return set;
    }

    @Override
    public void close() {
        previous.forEach((property, value) -> {
            if (value == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, value);
            }
        });
        SSLContext.setDefault(previousDefault);
    }
}
