/** Portico's own CA for localhost, IP addresses and private names; its root is kept in storage. */
package dev.portico.tls.internalca;
