package io.runnel.engine;

/** The transports every end-to-end scenario runs against. */
enum TransportKind {
    LETTUCE, JEDIS, MEMORY;

    /** Points an app at this transport: the test Redis for the Redis clients, a store named after the app in memory. */
    App.Builder configure(App.Builder builder, String appName, String redisUrl) {
        return switch (this) {
            case LETTUCE -> builder.redisUrl(redisUrl).setting("transport", "lettuce");
            case JEDIS -> builder.redisUrl(redisUrl).setting("transport", "jedis");
            case MEMORY -> builder.redisUrl("memory://" + appName).setting("transport", "memory");
        };
    }
}
