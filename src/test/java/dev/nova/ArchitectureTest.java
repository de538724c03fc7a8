package dev.nova;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaParameter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.nova.boot.MembershipReactions;
import dev.nova.cluster.MembershipChanged;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The shape of the house, kept by the build: the feature packages of {@code dev.nova} form no cycle, each layer uses
 * only the layers below it, the ownership rules are pure, one observer reacts to cluster views, and no class grows
 * into a knot. README's "Project layout" draws the same layers.
 */
@AnalyzeClasses(packages = "dev.nova", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final int MAX_LINES = 450;

    @ArchTest
    static final ArchRule featuresAreFreeOfCycles =
            slices().matching("dev.nova.(*)..").should().beFreeOfCycles();

    /** Bottom to top; a layer uses only layers below it, and never one beside it unless listed. */
    @ArchTest
    static final ArchRule layers = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("foundation")
            .definedBy("dev.nova", "dev.nova.config..", "dev.nova.concurrency..")
            .layer("platform")
            .definedBy("dev.nova.platform..")
            .layer("model")
            .definedBy("dev.nova.model..")
            .layer("telemetry")
            .definedBy("dev.nova.telemetry..")
            .layer("cluster")
            .definedBy("dev.nova.cluster..")
            .layer("subscription")
            .definedBy("dev.nova.subscription..")
            .layer("stream")
            .definedBy("dev.nova.stream..")
            .layer("ratelimit")
            .definedBy("dev.nova.ratelimit..")
            .layer("connection")
            .definedBy("dev.nova.connection..")
            .layer("ownership")
            .definedBy("dev.nova.ownership..")
            .layer("client")
            .definedBy("dev.nova.client..")
            .layer("boot")
            .definedBy("dev.nova.boot..")
            .layer("faces")
            .definedBy("dev.nova.api..", "dev.nova.health..")
            .whereLayer("foundation")
            .mayNotAccessAnyLayer()
            .whereLayer("platform")
            .mayOnlyAccessLayers("foundation")
            .whereLayer("model")
            .mayOnlyAccessLayers("platform", "foundation")
            // Telemetry fires CDI events; the features that show them observe them. It calls no feature.
            .whereLayer("telemetry")
            .mayOnlyAccessLayers("model", "platform", "foundation")
            // The cluster is the transport: caches, views, the bus. It knows no feature.
            .whereLayer("cluster")
            .mayOnlyAccessLayers("telemetry", "model", "foundation")
            .whereLayer("subscription")
            .mayOnlyAccessLayers("cluster", "model", "foundation")
            .whereLayer("stream")
            .mayOnlyAccessLayers("cluster", "telemetry", "model", "platform", "foundation")
            .whereLayer("ratelimit")
            .mayOnlyAccessLayers("cluster", "telemetry", "model", "platform", "foundation")
            // Sessions know nothing of the cluster: fencing reaches them through ConnectionListener.
            .whereLayer("connection")
            .mayOnlyAccessLayers("ratelimit", "stream", "model", "platform", "foundation")
            .whereLayer("ownership")
            .mayOnlyAccessLayers(
                    "connection", "stream", "subscription", "cluster", "telemetry", "model", "platform", "foundation")
            .whereLayer("client")
            .mayOnlyAccessLayers(
                    "ownership", "connection", "subscription", "cluster", "model", "platform", "foundation")
            // The composition root: it knows every feature, and only the faces know it.
            .whereLayer("boot")
            .mayOnlyBeAccessedByLayers("faces")
            .whereLayer("faces")
            .mayNotBeAccessedByAnyLayer();

    /** Who owns which client is decided by pure functions over records and views, tested without a cluster. */
    @ArchTest
    static final ArchRule ownershipRulesArePure = noClasses()
            .that()
            .haveFullyQualifiedName("dev.nova.ownership.Fencing")
            .or()
            .haveFullyQualifiedName("dev.nova.ownership.FailoverPolicy")
            .or()
            .haveFullyQualifiedName("dev.nova.ownership.MovePolicy")
            .or()
            .haveFullyQualifiedName("dev.nova.ownership.Placement")
            .or()
            .haveFullyQualifiedName("dev.nova.ownership.Members")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.infinispan..", "org.jgroups..", "jakarta..", "dev.nova.connection..")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("dev.nova.cluster.ClusterRuntime");

    /** One observer of view changes sets the order in which the features react to them. */
    @ArchTest
    static void oneObserverOfViewChanges(JavaClasses classes) {
        List<String> observers = new ArrayList<>();
        for (JavaClass type : classes) {
            for (JavaMethod method : type.getMethods()) {
                for (JavaParameter parameter : method.getParameters()) {
                    if (parameter.getRawType().isEquivalentTo(MembershipChanged.class)
                            && parameter.isAnnotatedWith(Observes.class)) {
                        observers.add(type.getName() + "." + method.getName());
                    }
                }
            }
        }
        assertThat(observers).containsExactly(MembershipReactions.class.getName() + ".onView");
    }

    /** A class that outgrows this has more than one concern. */
    @ArchTest
    static void noClassIsOver450Lines(JavaClasses ignored) {
        assertThat(sources().filter(file -> lines(file) > MAX_LINES).map(Path::toString))
                .isEmpty();
    }

    /** The package graph is read from the imports: they name what they use. */
    @ArchTest
    static void noWildcardImportsOfNovaPackages(JavaClasses ignored) {
        assertThat(sources()
                        .filter(file -> read(file)
                                .lines()
                                .anyMatch(line -> line.matches("import\\s+(static\\s+)?dev\\.nova\\..*\\*;")))
                        .map(Path::toString))
                .isEmpty();
    }

    private static Stream<Path> sources() {
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            return files.filter(file -> file.toString().endsWith(".java")).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long lines(Path file) {
        return read(file).lines().count();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
