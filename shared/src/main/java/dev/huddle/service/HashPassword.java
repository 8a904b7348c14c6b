package dev.huddle.service;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The {@code hash-password} command: reads a password (from the terminal without echo, or one line of standard
 * input) and prints its PBKDF2 hash for {@code ADMIN_PASSWORD_HASH}. The password never appears on a command line.
 */
public final class HashPassword {
    private HashPassword() {
    }

    public static void main(String[] args) throws IOException {
        Console console = System.console();
        String password;
        if (console != null) {
            char[] typed = console.readPassword("Admin password: ");
            char[] again = console.readPassword("Again: ");
            if (typed == null || again == null || !new String(typed).equals(new String(again))) {
                System.err.println("The two entries differ (or input ended); nothing hashed.");
                System.exit(2);
                return;
            }
            password = new String(typed);
        } else {
            password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
        if (password == null || password.length() < 12) {
            System.err.println("A password of at least 12 characters is needed; nothing hashed.");
            System.exit(2);
            return;
        }
        System.out.println(PasswordHash.hashAdmin(password));
    }
}
