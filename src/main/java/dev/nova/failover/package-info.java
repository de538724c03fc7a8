/**
 * Who runs each client, and moving clients between nodes. One decision maker, the JGroups coordinator while its side
 * holds quorum, gives each client exactly one owner (a node name plus its incarnation) at an epoch that grows on
 * every change; every node runs exactly the clients the records give it and lets go at once of any client whose
 * epoch moved on (fencing). When an owner leaves the view its clients fail over to another node, placed by region;
 * operators can take clients over or transfer them make-before-break.
 */
package dev.nova.failover;
