/**
 * Test certificates made at test time with @peculiar/x509 (a devDependency) on Node's WebCrypto:
 * ECDSA P-256, so generating a whole PKI takes milliseconds and needs no openssl binary.
 */
import "reflect-metadata"; // tsyringe, used inside @peculiar/x509, needs the Reflect metadata API
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

export interface Identity {
  readonly key: string;
  readonly cert: string;
}

export interface TestPki {
  readonly caCert: string;
  issue(commonName: string, options?: { san?: string[] }): Promise<Identity>;
}

const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
let serial = 1;

type Key = webcrypto.CryptoKey;
type KeyPair = webcrypto.CryptoKeyPair;

async function keyPem(key: Key): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey("pkcs8", key), "PRIVATE KEY");
}

/** A fresh certificate authority that issues node certificates (CN and DNS SAN = node id). */
export async function createPki(name = "edgeflow test CA"): Promise<TestPki> {
  // Node's webcrypto is the Web Crypto API the library expects; the DOM `Crypto` type is not in our lib.
  x509.cryptoProvider.set("default", webcrypto as Parameters<typeof x509.cryptoProvider.set>[1]);
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 24 * 3_600_000);
  const caKeys = (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as KeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: (serial++).toString(16).padStart(2, "0"),
    name: `CN=${name}`,
    notBefore,
    notAfter,
    signingAlgorithm: algorithm,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  return {
    caCert: ca.toString("pem"),
    async issue(commonName, options = {}) {
      const keys = (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as KeyPair;
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: (serial++).toString(16).padStart(2, "0"),
        subject: `CN=${commonName}`,
        issuer: ca.subject,
        notBefore,
        notAfter,
        signingAlgorithm: algorithm,
        publicKey: keys.publicKey,
        signingKey: caKeys.privateKey,
        extensions: [
          new x509.BasicConstraintsExtension(false),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
          new x509.SubjectAlternativeNameExtension((options.san ?? [commonName]).map((value) => ({ type: "dns" as const, value }))),
          await x509.AuthorityKeyIdentifierExtension.create(ca),
        ],
      });
      return { key: await keyPem(keys.privateKey), cert: cert.toString("pem") };
    },
  };
}
