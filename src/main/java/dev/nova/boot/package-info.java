/**
 * Starting the node: every setting read and validated at once and offered to the features section by section, the
 * clients declared in configuration created, and the one observer of cluster views, which tells the features of a
 * new view in a fixed order. It knows every feature; no feature knows it.
 */
package dev.nova.boot;
