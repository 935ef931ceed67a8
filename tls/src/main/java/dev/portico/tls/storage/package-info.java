/** Durable storage of certificates, keys and account data: the interface and its directory backend. */
package dev.portico.tls.storage;
