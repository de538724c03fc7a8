package dev.nova.config;

import dev.nova.model.ClientSpec;
import java.util.List;

/** A client declared in configuration ({@code nova.clients}) with its persistent start-up channels. */
public record DeclaredClient(ClientSpec spec, List<String> channels) {}
