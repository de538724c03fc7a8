package dev.nova.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

/** Key and trust stores named by configuration, opened at start: one that does not open is refused, naming its key. */
public final class KeyStores {

    private KeyStores() {}

    /**
     * The store at {@code path}, of {@code type}, opened with {@code password} (or none).
     *
     * @throws ConfigException naming {@code key} when the file is missing or does not open
     */
    public static KeyStore load(String key, String path, SecretSetting password, String type) {
        try (InputStream in = Files.newInputStream(Path.of(path))) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password == null ? null : password.reveal().toCharArray());
            return store;
        } catch (NoSuchFileException e) {
            throw new ConfigException(
                    key, path + " does not exist (a relative path is resolved against the server's directory)");
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(key, path + " cannot be read as a " + type + " store: " + e.getMessage());
        }
    }
}
