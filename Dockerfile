# Nova on Open Liberty. Build the WAR first:  mvn -DskipTests package
# then:                                       docker build -t nova .
# The kernel-slim image installs exactly the features server.xml lists (features.sh), then configure.sh
# prepares the server. Configure the node with environment variables (README, "Configuration reference"),
# e.g. docker run -p 9443:9443 -e NOVA_NODE_NAME=n1 -e NOVA_NODE_REGION=eu-west -e NOVA_ADMIN_PASSWORD=... nova
ARG LIBERTY_IMAGE=icr.io/appcafe/open-liberty:26.0.0.3-kernel-slim-java17-openj9-ubi
FROM ${LIBERTY_IMAGE}

LABEL org.opencontainers.image.title="Nova" \
      org.opencontainers.image.description="Clustered, fault-tolerant WebSocket client gateway for exchange market data"

COPY --chown=1001:0 liberty-config/server.xml /config/server.xml
RUN features.sh

# The WAR carries its context root (/) in WEB-INF/ibm-web-ext.xml, so dropins serves it at /api, /health, ...
COPY --chown=1001:0 target/nova.war /config/dropins/nova.war

# HTTP, HTTPS, and the JGroups ports used by clustering (nova.cluster.bind-port, and bind-port + fd-port-offset).
EXPOSE 9080 9443 7800 7900

RUN configure.sh
