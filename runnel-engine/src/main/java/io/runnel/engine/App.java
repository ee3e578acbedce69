// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.codahale.metrics.MetricRegistry;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.util.Modules;
import io.runnel.api.Compressor;
import io.runnel.api.Hasher;
import io.runnel.api.Misconfigured;
import io.runnel.api.RecordType;
import io.runnel.api.SerializationException;
import io.runnel.api.Serializer;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.ServerAddress;
import io.runnel.api.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A Runnel application: its streams, processors and background tasks, and the settings and
 * connection they share. Define everything first, then run workers:
 *
 * <pre>{@code
 * App app = App.builder("shop").redisUrl("redis://127.0.0.1:6379").build();
 * Stream<Order> orders = app.stream("orders", Order.class, Order::orderId);
 * app.processor(orders, "printer", events -> {
 *     for (Order order : events.records()) {
 *         System.out.println(order.amount());
 *     }
 * });
 * app.run();   // a worker; stops cleanly on SIGTERM
 * }</pre>
 *
 * <p>Thread-safe. Workers share the app's single transport (connection pool).
 */
public final class App implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(App.class);
    private static final Pattern STREAM_ID = Pattern.compile("\\$|0|\\d+(-\\d+)?");

    private final String name;
    private final Settings settings;
    private final Injector injector;
    private final Map<String, Stream<?>> streams = new LinkedHashMap<>();
    private final Map<String, Processor<?>> processors = new LinkedHashMap<>();
    private final List<BackgroundTask> tasks = new CopyOnWriteArrayList<>();
    private final Set<Worker> workers = ConcurrentHashMap.newKeySet();
    private volatile Transport transport;
    /** The instrumentation modules on the classpath, found once: usually none. */
    private final List<Instrumentation> instrumentation;
    /** The server redis_url names first, without credentials, as instrumentation reports it. */
    private final Optional<ServerAddress> serverAddress;
    /** Sends Redis refused for a full memory; made at once, which registers the redis-oom meter (0 until a refusal). */
    private final SendRefusals sendRefusals;
    /** Metric reporters, started with the first worker (guarded by this). */
    private MetricsReporting reporting;

    private App(String name, Settings settings, List<Module> modules) {
        this.name = Keys.checkName("app", name);
        this.settings = settings;
        this.injector = Guice.createInjector(Modules.override(new EngineModule(settings)).with(modules));
        List<Instrumentation> found = new ArrayList<>();
        ServiceLoader.load(Instrumentation.class).forEach(found::add);
        this.instrumentation = List.copyOf(found);
        this.serverAddress = ConnectionUrl.parse(settings.redisUrl()).serverAddress();
        this.sendRefusals = new SendRefusals(this.name, MemoryRefusals.meter(metrics(), this.name));
        this.host = new StreamHost(this.name, settings, this::transport, onCluster(), instrumentation, this::destination,
                sendRefusals, stream -> register(stream));
    }

    /** This app as its streams see it. */
    private final StreamHost host;

    /** Sends Redis refused for a full memory, made visible (see {@link SendRefusals}). */
    SendRefusals sendRefusals() {
        return sendRefusals;
    }

    /** The instrumentation modules on the classpath (see {@link Instrumentation}). */
    List<Instrumentation> instrumentation() {
        return instrumentation;
    }

    /** Where the instrumentation sees a stream of this app; {@code partition} only for a send to one. */
    Instrumentation.Destination destination(String stream, OptionalInt partition) {
        return new Instrumentation.Destination(name, stream, partition, serverAddress);
    }

    /**
     * Starts building an app; settings come from {@code RUNNEL_*} variables unless overridden.
     *
     * @param name the app's name, which prefixes its Redis keys (checked by {@link Builder#build()})
     * @return a new builder
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * An app with settings from the environment.
     *
     * @param name the app's name, which prefixes its Redis keys
     * @return the app, which the caller closes
     * @throws Misconfigured naming the setting when one is unknown or invalid, or when the
     *                       name is unsafe in Redis keys
     */
    public static App create(String name) {
        return builder(name).build();
    }

    /**
     * The app's name.
     *
     * @return the name given to {@link #builder(String)}
     */
    public String name() {
        return name;
    }

    /**
     * The app's settings, resolved when it was built.
     *
     * @return the settings every stream and processor defaults to
     */
    public Settings settings() {
        return settings;
    }

    /**
     * Whether {@code redis_url} names a Redis Cluster ({@code redis-cluster://},
     * {@code rediss-cluster://}): then each partition's keys carry its hash tag (see
     * {@link ClusterLayout}).
     */
    boolean onCluster() {
        return io.runnel.api.transport.ConnectionUrl.parse(settings.redisUrl()).cluster();
    }

    /**
     * The metric registry (bound through Guice; override it with your own module).
     *
     * @return the registry the app's meters are in
     */
    public MetricRegistry metrics() {
        return injector.getInstance(MetricRegistry.class);
    }

    // ------------------------------------------------------------------ streams

    /**
     * Defines a stream partitioned by {@code partitionKey} (e.g. {@code Order::customerId}), other options from the settings.
     *
     * @param <T>          the record type
     * @param name         the stream's name, unique in the app and safe in Redis keys
     * @param type         the record class
     * @param partitionKey extracts the partition key; may be null only for a single-partition stream
     * @return the stream, to send to and to process
     * @throws Misconfigured as {@link #stream(String, Class, Function, Consumer)} says
     */
    public <T> Stream<T> stream(String name, Class<T> type, Function<? super T, ?> partitionKey) {
        return stream(name, type, partitionKey, o -> { });
    }

    /**
     * Defines a stream partitioned by the record component named {@code keyComponent}.
     *
     * @param <T>          the record type
     * @param name         the stream's name, unique in the app and safe in Redis keys
     * @param type         the record class
     * @param keyComponent the name of the record component that is the partition key
     * @return the stream, to send to and to process
     * @throws Misconfigured if the record has no such component, or as
     *                       {@link #stream(String, Class, Function, Consumer)} says
     */
    public <T> Stream<T> stream(String name, Class<T> type, String keyComponent) {
        return stream(name, type, keyComponent, o -> { });
    }

    /**
     * Defines a stream partitioned by the record component named {@code keyComponent}, with options.
     *
     * @param <T>          the record type
     * @param name         the stream's name, unique in the app and safe in Redis keys
     * @param type         the record class
     * @param keyComponent the name of the record component that is the partition key
     * @param options      sets the stream's options, e.g. {@code o -> o.partitionCount(8)}
     * @return the stream, to send to and to process
     * @throws Misconfigured if the record has no such component, or as
     *                       {@link #stream(String, Class, Function, Consumer)} says
     */
    public <T> Stream<T> stream(String name, Class<T> type, String keyComponent, Consumer<StreamOptions<T>> options) {
        RecordType.Component component = RecordType.of(type).component(keyComponent);
        return stream(name, type, component::get, options);
    }

    /**
     * Defines a stream.
     *
     * @param <T>          the record type
     * @param name         the stream's name, unique in the app and safe in Redis keys
     * @param type         the record class
     * @param partitionKey extracts the partition key; may be null only for a single-partition stream
     * @param options      sets the stream's options, e.g. {@code o -> o.partitionCount(8)};
     *                     what it leaves unset comes from the settings
     * @return the stream, to send to and to process
     * @throws Misconfigured if the name is unsafe in keys or taken, the type is not a record
     *                       (or a primitive record with non-primitive components), or a
     *                       stream of several partitions has no partition key
     */
    public <T> Stream<T> stream(String name, Class<T> type, Function<? super T, ?> partitionKey,
                                Consumer<StreamOptions<T>> options) {
        Keys.checkName("stream", name);
        RecordType<T> recordType = RecordType.of(type);
        StreamOptions<T> o = new StreamOptions<>();
        options.accept(o);
        Overrides os = o.settings;
        int partitionCount = os.get(Settings.DEFAULT_PARTITION_COUNT, settings);
        if (partitionKey == null && partitionCount > 1) {
            throw new Misconfigured("stream " + name + " has " + partitionCount
                    + " partitions but no partition key");
        }
        Hasher hasher = o.hasher != null ? o.hasher
                : os.explicit(Settings.DEFAULT_HASHER).map(Plugins::hasher).orElseGet(() -> instance(Hasher.class));
        RecordCodec<T> codec;
        if (recordType.primitive()) {
            codec = new PrimitiveCodec<>(recordType);
        } else {
            Serializer serializer = o.serializer != null ? o.serializer
                    : Plugins.serializer(os.get(Settings.DEFAULT_SERIALIZER, settings))
                    .orElseThrow(() -> new Misconfigured("stream " + name + " holds structured records ("
                            + type.getSimpleName() + ") but no serializer is on the classpath: add io.runnel:runnel-serde-json, "
                            + "pass one with serializer(...), or mark the record @Primitive"));
            Compressor compressor = o.compressor != null ? o.compressor
                    : Plugins.compressor(os.get(Settings.DEFAULT_COMPRESSOR, settings)).orElse(null);
            try {
                serializer.checkReadable(recordType);
            } catch (SerializationException e) {
                throw new Misconfigured("stream " + name + " cannot use serializer " + serializer.name() + " for "
                        + type.getName() + ": " + e.getMessage(), e);
            }
            codec = RecordCodec.of(recordType, serializer, compressor);
        }
        Retention retention = new Retention(
                os.get(Settings.DEFAULT_RETENTION, settings),
                os.get(Settings.DEFAULT_PARTITION_SIZE, settings),
                os.get(Settings.DEFAULT_MAX_PARTITION_SIZE, settings),
                os.get(Settings.DEFAULT_MAX_AGE, settings),
                os.get(Settings.DEFAULT_RETENTION_INTERVAL, settings));
        return register(new Stream<>(host, name, recordType, partitionKey, partitionCount, retention, hasher, codec));
    }

    /**
     * A stream defined earlier, by name.
     *
     * @param name the stream's name
     * @return the stream, of records of an unknown type
     * @throws Misconfigured if there is none
     */
    public Stream<?> streamNamed(String name) {
        synchronized (streams) {
            Stream<?> s = streams.get(name);
            if (s == null) {
                throw new Misconfigured("app " + this.name + " has no stream '" + name + "'; its streams are " + streams.keySet());
            }
            return s;
        }
    }

    <T> Stream<T> register(Stream<T> stream) {
        synchronized (streams) {
            if (streams.containsKey(stream.name())) {
                throw new Misconfigured("stream " + stream.name() + " is already defined in app " + name);
            }
            streams.put(stream.name(), stream);
        }
        return stream;
    }

    // --------------------------------------------------------------- processors

    /**
     * Registers a processor with default options.
     *
     * @param <T>      the stream's record type
     * @param stream   the stream to process, defined by this app
     * @param name     the processor's name, unique in the app: its consumer group
     * @param function what processes each partition's events
     * @throws Misconfigured as {@link #processor(Stream, String, Consumer, ProcessorFunction)} says
     */
    public <T> void processor(Stream<T> stream, String name, ProcessorFunction<T> function) {
        processor(stream, name, o -> { }, function);
    }

    /**
     * Registers a processor: {@code function} runs for each partition of {@code stream}
     * owned by a worker, and the processor's name is its consumer group.
     *
     * @param <T>      the stream's record type
     * @param stream   the stream to process, defined by this app
     * @param name     the processor's name, unique in the app: its consumer group
     * @param options  sets the processor's options, e.g. {@code o -> o.prefetchCount(100)}; what
     *                 it leaves unset comes from the settings
     * @param function what processes each partition's events
     * @throws Misconfigured on a duplicate or unsafe name, or impossible options (a read
     *                       timeout not shorter than the grace period)
     */
    public <T> void processor(Stream<T> stream, String name, Consumer<ProcessorOptions> options,
                              ProcessorFunction<T> function) {
        Objects.requireNonNull(function, "function");
        Keys.checkName("processor", name);
        if (stream.host() != host) {
            throw new Misconfigured("stream " + stream.name() + " belongs to another app");
        }
        ProcessorOptions o = new ProcessorOptions();
        options.accept(o);
        synchronized (processors) {
            if (processors.containsKey(name)) {
                throw new Misconfigured("processor " + name + " is already defined in app " + this.name
                        + " (processor names are consumer group names and must be unique)");
            }
            ProcessorMetrics metrics = new ProcessorMetrics(metrics(), injector.getInstance(Clock.class), this.name,
                    stream.keys(), name, this::transport);
            processors.put(name, Processor.resolve(stream, name, function, o, settings, metrics,
                    injector.getInstance(Ticker.class)));
        }
    }

    /**
     * Names of the registered processors.
     *
     * @return the names, in registration order
     */
    public List<String> processors() {
        synchronized (processors) {
            return List.copyOf(processors.keySet());
        }
    }

    /**
     * Resets a processor's consumer group on every partition to start after {@code startId}
     * ({@code 0} replays the whole stream, {@code $} skips to new events), dropping its
     * pending entries. Run it while no worker runs the processor.
     *
     * @param processor the processor's name
     * @param startId   {@code 0}, {@code $} or a stream id {@code <millis>[-<seq>]}
     * @throws Misconfigured if the app has no such processor or {@code startId} is not a
     *                       stream id
     */
    public void resetProcessor(String processor, String startId) {
        if (!STREAM_ID.matcher(startId).matches()) {
            throw new Misconfigured("start id '" + startId + "' is not a stream id (use 0, $ or <millis>-<seq>)");
        }
        Processor<?> p = processor(processor);
        membership(p).withAdminLock(() -> {
            transport().destroyGroup(p.stream().keys(), p.group());
            transport().createGroup(p.stream().keys(), p.group(), startId);
            return null;
        });
        log.info("reset processor {} to start after {}", processor, startId);
    }

    /**
     * The keys {@code processor} parked under {@link io.runnel.api.ExceptionPolicy#PARK}:
     * list, replay or drop them (see {@link ParkedKeys}).
     *
     * @param processor the processor's name
     * @return the processor's parked keys
     * @throws Misconfigured if the app has no such processor
     */
    public ParkedKeys parkedKeys(String processor) {
        return new ParkedKeys(processor(processor), transport());
    }

    /**
     * The keyed state {@code name} of processor {@code processor} as its partitions last
     * committed it: an interactive query, from any process with the app's definition (see
     * {@link CommittedState}).
     *
     * @param processor the name of a processor with a context
     *                  ({@link ProcessorFunction#eachRecordWithContext})
     * @param name      the state's name
     * @param valueType the type of its values
     * @param <V>       the value type
     * @return a reader of the committed state
     * @throws Misconfigured if the app has no such processor, or it has no context
     */
    public <V> CommittedState<V> state(String processor, String name, Class<V> valueType) {
        return new CommittedState<>(processor(processor), name, valueType, transport(), System::currentTimeMillis);
    }

    /**
     * The dead letters of stream {@code stream}: list, replay or purge them (see {@link DeadLetters}).
     *
     * @param stream the stream's name
     * @return the stream's dead letters
     * @throws Misconfigured if the app has no such stream
     */
    public DeadLetters deadLetters(String stream) {
        return new DeadLetters(streamNamed(stream), transport());
    }

    /**
     * A snapshot of every processor's members, partition owners, backlogs and poisoned
     * partitions, and the leader, as Redis holds them (see {@link Status}). It only reads:
     * it joins nothing, takes no lock and creates no consumer group, so it is safe to call
     * from any process while workers run.
     *
     * @return the snapshot, as read now
     */
    public Status status() {
        return new StatusReader(name, processors().stream().map(this::processor).toList(), this::membership, transport(),
                injector.getInstance(Clock.class)).read();
    }

    // -------------------------------------------------------------------- tasks

    /**
     * Runs {@code task} once on every worker when it starts.
     *
     * @param name the task's name, for logs
     * @param task what to run
     */
    public void task(String name, Task task) {
        task(name, false, task);
    }

    /**
     * Runs {@code task} once when a worker starts; with {@code leaderOnly}, only on the leader.
     *
     * @param name       the task's name, for logs
     * @param leaderOnly true to run it only on the worker that is the app's leader
     * @param task       what to run
     */
    public void task(String name, boolean leaderOnly, Task task) {
        tasks.add(new BackgroundTask.Once(name, leaderOnly, Objects.requireNonNull(task)));
    }

    /**
     * Runs {@code task} every {@code interval} on every worker.
     *
     * @param interval the time between runs (positive)
     * @param task     what to run
     * @throws Misconfigured if {@code interval} is not positive
     */
    public void timer(Duration interval, Task task) {
        timer("timer-" + tasks.size(), interval, false, task);
    }

    /**
     * Runs {@code task} every {@code interval}; with {@code leaderOnly}, only on the leader.
     *
     * @param name       the timer's name, for logs
     * @param interval   the time between runs (positive)
     * @param leaderOnly true to run it only on the worker that is the app's leader
     * @param task       what to run
     * @throws Misconfigured if {@code interval} is not positive
     */
    public void timer(String name, Duration interval, boolean leaderOnly, Task task) {
        if (interval.isZero() || interval.isNegative()) {
            throw new Misconfigured("timer " + name + ": interval must be positive, got " + interval);
        }
        tasks.add(new BackgroundTask.Timer(name, interval, leaderOnly, Objects.requireNonNull(task)));
    }

    /**
     * Runs {@code task} on a cron schedule, in the {@code timezone} setting, on every worker.
     *
     * @param spec the cron expression, as {@link #crontab(String, String, ZoneId, boolean, Task)} reads it
     * @param task what to run
     * @throws Misconfigured if the expression is invalid
     */
    public void crontab(String spec, Task task) {
        crontab("crontab-" + tasks.size(), spec, settings.timezone(), false, task);
    }

    /**
     * Runs {@code task} on a cron schedule: five fields (minute hour day month weekday, as
     * in Unix cron) or six with seconds first.
     *
     * @param name       the task's name, for logs
     * @param spec       the cron expression
     * @param zone       the time zone the schedule's times are in
     * @param leaderOnly true to run it only on the worker that is the app's leader
     * @param task       what to run
     * @throws Misconfigured if the expression is invalid
     */
    public void crontab(String name, String spec, ZoneId zone, boolean leaderOnly, Task task) {
        ExecutionTime schedule;
        try {
            CronType type = spec.trim().split("\\s+").length == 6 ? CronType.SPRING53 : CronType.UNIX;
            schedule = ExecutionTime.forCron(new CronParser(CronDefinitionBuilder.instanceDefinitionFor(type)).parse(spec));
        } catch (IllegalArgumentException e) {
            throw new Misconfigured("crontab " + name + ": invalid cron expression '" + spec + "': " + e.getMessage(), e);
        }
        tasks.add(new BackgroundTask.Cron(name, spec, schedule, zone, leaderOnly, Objects.requireNonNull(task)));
    }

    // ------------------------------------------------------------------ workers

    /**
     * A worker for the named processors (all when none are named), not yet started.
     *
     * @param processorNames the processors the worker runs; none for all of the app's
     * @return the worker; {@link Worker#start()} starts it
     * @throws Misconfigured if a name is not a registered processor
     */
    public Worker worker(String... processorNames) {
        List<Processor<?>> chosen = new ArrayList<>();
        if (processorNames.length == 0) {
            synchronized (processors) {
                chosen.addAll(processors.values());
            }
        } else {
            for (String n : processorNames) {
                chosen.add(processor(n));
            }
        }
        Worker w = new Worker(this, chosen);
        workers.add(w);
        return w;
    }

    /**
     * Runs a worker for the named processors (all when none are named) until the process
     * receives SIGTERM or SIGINT — then drains within the grace period, flushes acks,
     * releases locks and announces its departure — or until a processor halts it.
     *
     * @param processorNames the processors the worker runs; none for all of the app's
     * @throws io.runnel.api.RunnelException the error that stopped the worker, if any
     * @throws InterruptedException          if the calling thread is interrupted while the
     *                                       worker runs
     */
    public void run(String... processorNames) throws InterruptedException {
        Worker worker = worker(processorNames);
        Thread hook = new Thread(() -> {
            log.info("shutdown signal received; stopping worker {}", worker.id());
            worker.stop();
        }, "runnel-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            worker.start();
            worker.await();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running: the JVM is exiting after it.
            }
        }
    }

    /** Stops every worker of this app and closes the connection. */
    @Override
    public void close() {
        for (Worker w : List.copyOf(workers)) {
            w.stop();
        }
        synchronized (this) {
            if (reporting != null) {
                reporting.close();
                reporting = null;
            }
        }
        Transport t = transport;
        if (t != null) {
            t.close();
        }
    }

    /** Starts the {@code metrics_reporters} once, when a worker of this app starts. */
    synchronized void startReporting() {
        if (reporting == null) {
            reporting = MetricsReporting.start(name, metrics(), settings);
        }
    }

    // ---------------------------------------------------------------- internals

    Transport transport() {
        Transport t = transport;
        if (t == null) {
            synchronized (this) {
                t = transport;
                if (t == null) {
                    t = instance(Transport.class);
                    transport = t;
                }
            }
        }
        return t;
    }

    /** A binding of the injector, showing our own error (Misconfigured, TransportException) rather than Guice's wrapper. */
    private <B> B instance(Class<B> type) {
        try {
            return injector.getInstance(type);
        } catch (com.google.inject.ProvisionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    Processor<?> processor(String name) {
        synchronized (processors) {
            Processor<?> p = processors.get(name);
            if (p == null) {
                throw new Misconfigured("app " + this.name + " has no processor '" + name + "'; its processors are "
                        + processors.keySet());
            }
            return p;
        }
    }

    List<BackgroundTask> tasks() {
        return List.copyOf(tasks);
    }

    Membership membership(Processor<?> p) {
        return new Membership(p, transport(), injector.getInstance(AssignmentStrategy.class),
                injector.getInstance(Clock.class));
    }

    /** Creates the processor's consumer group on every partition if missing, from the start of the stream. */
    void prepare(Processor<?> p) {
        membership(p).createGroups(p.stream().keys());
    }

    void workerStopped(Worker w) {
        workers.remove(w);
    }

    /**
     * Builds an {@link App}: settings from {@code RUNNEL_*} environment variables, overridden
     * here; Guice modules to override engine bindings.
     */
    public static final class Builder {
        private final String name;
        private final Map<String, Object> overrides = new LinkedHashMap<>();
        private final List<Module> modules = new ArrayList<>();
        private Map<String, String> environment = System.getenv();

        private Builder(String name) {
            this.name = name;
        }

        /**
         * Setting {@code redis_url}.
         *
         * @param url the server's URL, e.g. {@code redis://127.0.0.1:6379}
         * @return this builder
         */
        public Builder redisUrl(String url) {
            return setting("redis_url", url);
        }

        /**
         * Overrides a setting by name ({@code default_pool_size}, {@code defaultPoolSize} or
         * {@code RUNNEL_DEFAULT_POOL_SIZE}); values are text, numbers, durations or enums.
         *
         * @param name  the setting's name, in any of the three spellings
         * @param value its value, as text or as a value of the setting's type
         * @return this builder
         */
        public Builder setting(String name, Object value) {
            overrides.put(name, value);
            return this;
        }

        /**
         * Reads {@code RUNNEL_*} settings from this map instead of the process environment.
         *
         * @param environment variable name to value, copied
         * @return this builder
         */
        public Builder environment(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
            return this;
        }

        /**
         * Guice modules whose bindings override the engine's (clock, metrics, hasher, assignment strategy, transport).
         *
         * @param modules the modules, added to any given before
         * @return this builder
         */
        public Builder module(Module... modules) {
            this.modules.addAll(List.of(modules));
            return this;
        }

        /**
         * Builds the app: resolves its settings and creates its injector. Connects to nothing.
         *
         * @return the app, which the caller closes
         * @throws Misconfigured naming the setting when one is unknown or invalid, or when
         *                       the app name is unsafe in Redis keys
         */
        public App build() {
            return new App(name, Settings.resolve(environment, overrides), modules);
        }
    }
}
