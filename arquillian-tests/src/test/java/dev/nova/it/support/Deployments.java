package dev.nova.it.support;

import java.io.File;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The archive the container tests deploy: the WAR the build produced, plus the test-only event probe. */
public final class Deployments {

    private Deployments() {}

    public static WebArchive novaWithProbe() {
        File war = new File(System.getProperty("nova.it.war", "target/nova.war"));
        return ShrinkWrap.createFromZipFile(WebArchive.class, war).addClass(EventProbe.class);
    }
}
