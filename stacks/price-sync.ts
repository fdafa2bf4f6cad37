// Price sync worker: a `worker` (no ports, no Service), runs in the team's
// jobs namespace, not yet in production. Shows raw Kubernetes objects as an escape hatch, and a Sealed
// Secret: the feed's client certificate, sealed with kubeseal for each
// cluster's controller (as the Secret price-sync-feed-client in storefront-jobs).
import type { NetworkPolicy } from "kubernetes-types/networking/v1";
import { sealedSecret, secret } from "sluice";
import { platform } from "./platform.js";

export default platform.app("price-sync", {
  kind: "worker",
  team: "storefront",
  namespace: "storefront-jobs",
  image: "registry.example.com/storefront/price-sync",
  release: { dev: "sha256:4f1c9a7e2b3d5c6f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f", staging: "sha256:4f1c9a7e2b3d5c6f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f" },
  args: ["--interval=5m"],
  env: { SOURCE_URL: "https://prices.example.com/feed" },
  secretFiles: { "/etc/price-sync/feed-client": secret("feed-client") },
  clusters: {
    "dev-1": {
      secrets: {
        "feed-client": sealedSecret({
          "client.pem":
            "AgBdLGgNgIa2PqBmDeeXG3GmxP/HuP1qYGcR7yAhKIwC8uMJXi8zm9R30LL8DEdRF7ujJjqiQJYkHffy7KtkIuMc7cbQ0PgUJqeOM2+jLl4tHX40tRJL7kSsWl/iGevU2JEyWv+pMU1JFmglTj1fnDEQ3gMKK9G30aWdTFKvUcFCcoe6+VI1Wsex3nFswt3FlfGZL8HItwDWM2C5N3BdPF/iwVnAy/IE3iqNL6/PHzNzKQAL2ZrKlMfysMB1X6jmeJkB7UTk/UK0MCYkh+b0+cAoJRr5RVWYmAgmERvpU41sh5f0HNB5WJ4TS1r3yhgD2F2O/29uxdw3E50CcmjGSU0NY5vwaijGrwtDvYfPABW6pNMPnX9tSwOp0GkeJdVjAXxxL0Bm7vrojgBfi1eTwlVkXwntF1POCklhgiw3M5iSKSgP9Ertl4/YNpcAl8LYEZSqdMlp0W3R7nHrW4nFL3IxbRf9aNgGNhjrA03pu8F3USmBpaifiFemZ2dhVfe1ITg/otj0NB1/rovyMMioqEazHkXUZyCKSUk7Wa1IFGiz26T3pAEcnTekJz852kf/RH3ofB9PGUiQN6ugPPzMN//TCDRDZOmwDNDtdbJn2oqnn4FDqx9+58syMKglwoMfzWnHK2TNE42ae7lcg/oteQi+XNABdpcOWGCBC9xhQdQymcHBb6HeB08jI2ikEysUoRbF8aB6crK9vNPvNgqSrF5OvERmz21Ycpk59ssdSUk8khCxehK/eg20TD4yLfKXJocZDpBSnolECU/77HGC3k77rQB4nuVPN2L0SEZqPL2dyRUutCKGvhEZl/S9yJTLReJv0Cns7P8jRNzpQaWcb/cnIW8efcf+zC9pq6FTNoMrdwIq/JUPQSdVRtePG4RQl+g+qggEMc1uUvNipAd4glRli/7hT0L5bLgs9Ju3jQaqDmXnCvnCYI62ryt2/GssCtk36go9//v2+wbZ2la703yQU5MsjuhHL9VyQ/juGDk474EPy5pONDCQYnnJuX2EFoG7sgXsXKWCxWrmo7x98l6k5wLno7gzYkPZnoaX69gjVjhP5Ajk2DzzvcNxKUUH0aLM8a1RiSP14cUkDrr0H3BTbsyA9LOMKtP7WZ3jmiIfo74kLzpzo2fzw/78eMG1qYO1EIICv22dPCs1QtvuST/rT7w08B7B2sw9ilWiuS1Ig6HyCc57yb23k2lWdLtnKFkm1dVNAgl1p0LRlBJ8ZezvHWM0POLoGLUYlmdzqUyxcxdPyf+wDcMf/9tYvrk8Q9Hj+R69l1QLMi0wn1psE0K4G6M3/zRk75YL844lzzhb/3K0HeVwNyQBxXWd/anmyBh1Vvi3MsWC55yWVbz8PrQRRtzytyuiVlvvVQDFy2haL0MehQgXoLuB8bml6xZAqsAMtK1r/zfNv0CX9A6iKsA4fiYh+Vlimx9Zhnb4P2hXe/2SkRGxfW+J9vg2MrM/4SUOx7FjglKJev15pNAcGRuJymIDJYKVPOQuy0JxGxM4eakJQ74FDGosJ482y6Oz1NFxp20cpIpbj2GWbj0l78CN5NR+KSoIRR71znzm1iDr8GaKcdNJjvLq/a0LOzdceWn0TqUjDSISdBUdFtQGV6wSTt1QbTzsZv5bocnnze24zcrfoxD1qddT4bD0+8qOJe5bhINDisSRa6NTTg6RXBncN36VLAgXEMbTJZLHNXD742v0R8RAA7/9NSmIM12DmqhZtdE0ZNNtLJinE0RXyWGqaPtIBybARdPNejsYrfOHDOYIR3+w7Nke+ZENR0l9dC+dKgXmkj2e392ytczac9w1HosWGFCXIjM7ecPfTMeXDjKApWZpdOIb9OEZQJMOCc4SSh7S5IJhJVo0fqloa/N7FjE3LXkdS3Fk12qvegP3E7zsTezYZbTNiek6nCOPDHR1SV9pxN2B8ity6tsN99eg9WfEKaAM8yx8Op7H0XDjyN4heR9ap10MWefbFxXkf9Tf0piXSjq9Z59FByet43fuavAyDkR/IVJvZI3DX+5hUVEPWcFBBNUxISniD7qJtCEIouommMSdwJTEFnRQhpR7OBriaknlLYAXmtpCAjkyoD3ipln8xdhHxOqmGomIRi6U7gns+jDBRMJzT9ry+sxC2DCAE9D+3XT9CGD2ng3HI4CcO9uEXNMgBIcqYQ==",
        }),
      },
    },
    "staging-1": {
      secrets: {
        "feed-client": sealedSecret({
          "client.pem":
            "AgDgTZ5LWhD9aV9vnuZc7TFBz1dvlF56xwuJ/iZ9VmegMk0mf4COrcrgQtY6fjD6WwUySlCHPzkgYjJPKPnBvVqaLmbN/w97GPhXuWhyWowfMH7xji471uFcjnJrQXMscclKfWyioPwZgzLtiG811q2A/GXrlR4+tECkxRRosdIkm9wZgqEZYlpeXVz/tG7uXE3XkcX8t+e1d1OngiuLmvIBSXJemv5dJl5jnih8kbBSYH6eCL4UN7q0NvJKZyYXPLOnIulnkd+iQQzsnGBWH5IVxM3ZEKHPB6Y0szDXDlUaCWYv/PAA/UKnSrd7JNDOMfUDZR8jLzlmOf/uNZ5mEZqJkXT+lkHtR57YFP1E40W9uW0sFNQPkvygZnpVTjC0mNQHYrSPRkbVS7hIXAcDFxEG7Ay1qwmLazxqaQQaVfJcryKiAJPiXXnDynzfLIFBvpxB2JZBRA5sfe8D5Dk8Odv7XUGwMrMitAVwKIA/WHvNsb56VXfp1Gfjt8UNdEPeuzQYPVOzm9HALQWRa7DWZXVuL7r4Ml4K4QI2wA/8aDuAir1rchkMAvEZWskcEMRrE+o5bCclKh6Zq9RxcMFg6fvjSiYyujst7zSm88uSAe+Ol9+0aeV7qvrRl5vEe7VXY6yWMpedZJ7BRQPZSKpzfcV9indMbfW4Q2CHLHuS6umL0k7DcQRIqQ+uEm/Icg4xaUmgUV1nfjqp4z8PDY+ijwlnMVKLGQFW6yYrYiUgo0omC4moAWCtLbv8zGwmQw2S7uRHUqCn8IzjHm7UuL05IdGGRUIjZFMEJWheSMDp5VaAPNlo8i9QQHGVAA0AFO33ID6l6TztD8rBywZJLBfPao+j1p9Ix2Nzm5Y/YEBPRz8f7E6MznDIoww7hn/zs6fGXPVVLlj6qV0X1hATmxhYWxJvmKEiqF1o62MOh71bRuiw/enY877vdartdBkXWv//ZSvEpxo4QtaAq9VHhCVzrSRmDPRpDECYm1HSNw4Eht9bFd+ByPKwphdiTeiKk/ASXaMR9eD61QBdkfznUlCngtH5LvIpRJXD4ggi/QelNw8yK6rFw4Y5K8KDaBqCyW6TCR/PQTh/fhzrZum/lDr7uVFMdGgvJAUY0DKcJz3OjezzbsLCafu0Y8/nS5uPposObXpaR7sRGyMBScaGebFxIDn0NQImQ11ODthM3I/+qvAXONi0cbf2o6dj6ghYqKurqBRi/VPsdMbSrl4KacLjhatWW0lmMpsDBfCxCC2scKtXVDpCaneVo0lrEk6wFhvvUYKfUO881xfl2jxE49rX6mgrSvlF69KOM1nZsoc2zsMVbfm17u37tzi3H2HHaCSsjnCr5xU5g2H3yLBQ6HKdVJio6bkwydZFvPVYweoJwcPJPg0Ka/PRvHryYa5d3rgrt3VlBRlvC4fdR1O6oF3IzTm6BZI0tdKQkHCOUR6jjl9YQXDqXb6ZPuc9ISNYf6yEmJpHlOrjErN5TcC/cKtobvhFRgqUumTiCF5J2Boyp5jmEUU70fvDFfHdmzBC2HKckT1gY7zajW0dQCjO+XqX0KGXEtI+Dmc5zcVlBO3ts7XIyJx/w6IT+lSG1fJBPWhqaUm4UdOvcliTAT8IPSNUVy6O89c4Hanuheq7sU3Lg/OoQxK2C6omDle7jGU5OdpbjTDBZSt350kCIRZu+Y7jPGV53x0IybzIGn7Zx6Mz0bcO84/BBkG6qcZG5xpTB6jGOZUpm56RjkPV535cwKrQKlnSUk+NdAhrqtZj3uinKt5R2CQUK/2lKe832lnEKRU/zXWKqhd4VHam9awYZr1dfdSm5Rn+kz5OVzd5Ivvac5yqTaxwxWUv6vl5kLKnFZOTOppbQUFZnGHFRJ1vdCDNqE/KsMBK32PejAFmLVhRztk5q7rrVUj2dUHhut1n6beAzLCOiPRB7JlsoirpQ8B+jN4ZRprVYR7yCMWrksf3ainhYd6v1dsPHtQmWqO5pzft3AurnAEYMY3bMZvz2I03+7i6lroKVg+dwcHM2DdpSdDrAKk69YiddndtybZlWDXMQDyu0wfEhLJgwiY24zprmv3vuQg5NYF3dw21xcbbjRZCNa8ZA+vzCrTql51khxi3zZNT7JK7Ny9uRS6XWjnOWV7JFeXlSAWq9BGolQMa7XdRUwfsiRFfzllfsi6kTw==",
        }),
      },
    },
  },
  objects: [
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "price-sync-deny-ingress" },
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/name": "price-sync" } },
        policyTypes: ["Ingress"],
      },
    } satisfies NetworkPolicy,
  ],
});
