package dev.portico.app.observe;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import org.slf4j.LoggerFactory;

/**
 * Where the access log goes, from {@code PORTICO_ACCESS_LOG}: {@code stdout} (default, as configured
 * in logback.xml), {@code off}, or a file path (appended to, through an async appender). Called once
 * at start, control plane.
 */
public final class AccessLogTarget {
    private AccessLogTarget() {}

    public static void configure(String target) {
        if (target == null || target.isBlank() || target.equals("stdout")) {
            return;
        }
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // another SLF4J backend: its own config decides
        }
        Logger access = context.getLogger(AccessLog.LOGGER);
        if (target.equals("off")) {
            access.setLevel(Level.OFF);
            return;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> file = new FileAppender<>();
        file.setContext(context);
        file.setName("ACCESS_FILE");
        file.setFile(target);
        file.setAppend(true);
        file.setEncoder(encoder);
        file.start();
        AsyncAppender async = new AsyncAppender();
        async.setContext(context);
        async.setName("ACCESS_FILE_ASYNC");
        async.setNeverBlock(true);
        async.setQueueSize(16384);
        async.setDiscardingThreshold(0);
        async.addAppender(file);
        async.start();
        access.detachAndStopAllAppenders();
        access.addAppender(async);
        access.setAdditive(false);
    }
}
