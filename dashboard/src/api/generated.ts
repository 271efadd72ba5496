// Generated from the server's OpenAPI document by scripts/generate-api-types.ts: do not edit.
// Regenerate with `npm run generate:api` after changing a route's schema; a test fails while this file is stale.

export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The process is up */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            status: "ok";
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The database answers and every migration is applied */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            status: "ready";
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/account": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete the account and everything that belongs to it (cookie session and CSRF token only, password required) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        password: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            deleted: {
                                users: number;
                                stores: number;
                                whatsappNumbers: number;
                                orders: number;
                                messages: number;
                                events: number;
                                jobs: number;
                                credentials: number;
                                sessionKeys: number;
                            };
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in user, their account and the CSRF token for state-changing requests */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            user: {
                                id: string;
                                name: string;
                                email: string;
                                emailVerified: boolean;
                                language: string;
                            };
                            account: {
                                id: string;
                                name: string;
                                plan: string;
                                creditBalance: number;
                            };
                            csrfToken: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/session/user": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Update the signed-in user's name or language (ar, en, fr) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name?: string;
                        /** @enum {string} */
                        language?: "ar" | "en" | "fr";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            name: string;
                            email: string;
                            emailVerified: boolean;
                            language: string;
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's live API keys (never the keys themselves) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                id: string;
                                name: string;
                                /** @description The first characters of the key, to tell keys apart */
                                prefix: string;
                                scopes: ("orders:read" | "orders:write" | "stores" | "numbers" | "admin")[];
                                createdAt: string;
                                lastUsedAt: string | null;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Create an API key; the key is shown in this response only */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        /** @description What the key may do; default orders:read, orders:write, stores, numbers (everything but admin). Only admin may manage API keys. */
                        scopes?: ("orders:read" | "orders:write" | "stores" | "numbers" | "admin")[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            name: string;
                            /** @description The first characters of the key, to tell keys apart */
                            prefix: string;
                            scopes: ("orders:read" | "orders:write" | "stores" | "numbers" | "admin")[];
                            createdAt: string;
                            lastUsedAt: string | null;
                            key: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/api-keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an API key; it stops working at once */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stores": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's stores */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                id: string;
                                name: string;
                                /** @enum {string} */
                                platform: "shopify" | "woocommerce" | "salla" | "zid" | "youcan" | "easyorders" | "generic";
                                whatsappNumberId: string | null;
                                defaultCountry: string | null;
                                timezone: string;
                                /** @enum {string} */
                                language: "ar" | "en" | "fr";
                                settings: {
                                    codOnly: boolean;
                                    minimumTotal: string | null;
                                    sendDelayMinutes: number;
                                    quietHours: {
                                        start: string;
                                        end: string;
                                    } | null;
                                    reminders: {
                                        count: number;
                                        afterMinutes: number;
                                    };
                                    autoCancelAfterMinutes: number | null;
                                    cloudFallback: {
                                        whatsappNumberId: string;
                                        templateName: string;
                                        languageCode: string;
                                        parameters: ("customer_name" | "order_number" | "total" | "currency" | "items" | "store_name")[];
                                    } | null;
                                };
                                templates: {
                                    ar?: {
                                        confirm?: string;
                                        confirmed?: string;
                                        cancelled?: string;
                                        reminder?: string;
                                        clarify?: string;
                                    };
                                    en?: {
                                        confirm?: string;
                                        confirmed?: string;
                                        cancelled?: string;
                                        reminder?: string;
                                        clarify?: string;
                                    };
                                    fr?: {
                                        confirm?: string;
                                        confirmed?: string;
                                        cancelled?: string;
                                        reminder?: string;
                                        clarify?: string;
                                    };
                                };
                                /** @description Paste this into the platform as the webhook address */
                                webhookUrl: string;
                                /** @description The current signing secret (null for Shopify until the merchant pastes the app secret) */
                                webhookSecret: string | null;
                                /** @description Every secret accepted now (rotation) */
                                webhookSecrets: string[];
                                writeBack: {
                                    supported: boolean;
                                    configured: boolean;
                                    shopDomain?: string;
                                    storeUrl?: string;
                                };
                                createdAt: string;
                                updatedAt: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Connect a store; answers its webhook URL and secret */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        /** @enum {string} */
                        platform: "shopify" | "woocommerce" | "salla" | "zid" | "youcan" | "easyorders" | "generic";
                        whatsappNumberId?: string | null;
                        defaultCountry?: string | null;
                        /** @default UTC */
                        timezone?: string;
                        /**
                         * @default ar
                         * @enum {string}
                         */
                        language?: "ar" | "en" | "fr";
                        webhookSecret?: string;
                        settings?: {
                            codOnly?: boolean;
                            minimumTotal?: (number | string) | null;
                            sendDelayMinutes?: number;
                            quietHours?: {
                                start: string;
                                end: string;
                            } | null;
                            reminders?: {
                                count: number;
                                afterMinutes: number;
                            };
                            autoCancelAfterMinutes?: number | null;
                            cloudFallback?: {
                                whatsappNumberId: string;
                                templateName: string;
                                languageCode: string;
                                parameters: ("customer_name" | "order_number" | "total" | "currency" | "items" | "store_name")[];
                            } | null;
                        };
                        templates?: {
                            ar?: {
                                confirm?: string;
                                confirmed?: string;
                                cancelled?: string;
                                reminder?: string;
                                clarify?: string;
                            };
                            en?: {
                                confirm?: string;
                                confirmed?: string;
                                cancelled?: string;
                                reminder?: string;
                                clarify?: string;
                            };
                            fr?: {
                                confirm?: string;
                                confirmed?: string;
                                cancelled?: string;
                                reminder?: string;
                                clarify?: string;
                            };
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            name: string;
                            /** @enum {string} */
                            platform: "shopify" | "woocommerce" | "salla" | "zid" | "youcan" | "easyorders" | "generic";
                            whatsappNumberId: string | null;
                            defaultCountry: string | null;
                            timezone: string;
                            /** @enum {string} */
                            language: "ar" | "en" | "fr";
                            settings: {
                                codOnly: boolean;
                                minimumTotal: string | null;
                                sendDelayMinutes: number;
                                quietHours: {
                                    start: string;
                                    end: string;
                                } | null;
                                reminders: {
                                    count: number;
                                    afterMinutes: number;
                                };
                                autoCancelAfterMinutes: number | null;
                                cloudFallback: {
                                    whatsappNumberId: string;
                                    templateName: string;
                                    languageCode: string;
                                    parameters: ("customer_name" | "order_number" | "total" | "currency" | "items" | "store_name")[];
                                } | null;
                            };
                            templates: {
                                ar?: {
                                    confirm?: string;
                                    confirmed?: string;
                                    cancelled?: string;
                                    reminder?: string;
                                    clarify?: string;
                                };
                                en?: {
                                    confirm?: string;
                                    confirmed?: string;
                                    cancelled?: string;
                                    reminder?: string;
                                    clarify?: string;
                                };
                                fr?: {
                                    confirm?: string;
                                    confirmed?: string;
                                    cancelled?: string;
                                    reminder?: string;
                                    clarify?: string;
                                };
                            };
                            /** @description Paste this into the platform as the webhook address */
                            webhookUrl: string;
                            /** @description The current signing secret (null for Shopify until the merchant pastes the app secret) */
                            webhookSecret: string | null;
                            /** @description Every secret accepted now (rotation) */
                            webhookSecrets: string[];
                            writeBack: {
                                supported: boolean;
                                configured: boolean;
                                shopDomain?: string;
                                storeUrl?: string;
                            };
                            createdAt: string;
                            updatedAt: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stores/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One store */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            name: string;
                            /** @enum {string} */
                            platform: "shopify" | "woocommerce" | "salla" | "zid" | "youcan" | "easyorders" | "generic";
                            whatsappNumberId: string | null;
                            defaultCountry: string | null;
                            timezone: string;
                            /** @enum {string} */
                            language: "ar" | "en" | "fr";
                            settings: {
                                codOnly: boolean;
                                minimumTotal: string | null;
                                sendDelayMinutes: number;
                                quietHours: {
                                    start: string;
                                    end: string;
                                } | null;
                                reminders: {
                                    count: number;
                                    afterMinutes: number;
                                };
                                autoCancelAfterMinutes: number | null;
                                cloudFallback: {
                                    whatsappNumberId: string;
                                    templateName: string;
                                    languageCode: string;
                                    parameters: ("customer_name" | "order_number" | "total" | "currency" | "items" | "store_name")[];
                                } | null;
                            };
                            templates: {
                                ar?: {
                                    confirm?: string;
                                    confirmed?: string;
                                    cancelled?: string;
                                    reminder?: string;
                                    clarify?: string;
                                };
                                en?: {
                                    confirm?: string;
                                    confirmed?: string;
                                    cancelled?: string;
                                    reminder?: string;
                                    clarify?: string;
                                };
                                fr?: {
                                    confirm?: string;
                                    confirmed?: string;
                                    cancelled?: string;
                                    reminder?: string;
                                    clarify?: string;
                                };
                            };
                            /** @description Paste this into the platform as the webhook address */
                            webhookUrl: string;
                            /** @description The current signing secret (null for Shopify until the merchant pastes the app secret) */
                            webhookSecret: string | null;
                            /** @description Every secret accepted now (rotation) */
                            webhookSecrets: string[];
                            writeBack: {
                                supported: boolean;
                                configured: boolean;
                                shopDomain?: string;
                                storeUrl?: string;
                            };
                            createdAt: string;
                            updatedAt: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete a store and erase its orders, messages, events, jobs, secrets and write-back credentials */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            deleted: {
                                orders: number;
                                messages: number;
                                events: number;
                                jobs: number;
                                credentials: number;
                            };
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Change settings, templates, webhook secrets (rotation) or write-back credentials */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name?: string;
                        whatsappNumberId?: string | null;
                        defaultCountry?: string | null;
                        timezone?: string;
                        /** @enum {string} */
                        language?: "ar" | "en" | "fr";
                        settings?: {
                            codOnly?: boolean;
                            minimumTotal?: (number | string) | null;
                            sendDelayMinutes?: number;
                            quietHours?: {
                                start: string;
                                end: string;
                            } | null;
                            reminders?: {
                                count: number;
                                afterMinutes: number;
                            };
                            autoCancelAfterMinutes?: number | null;
                            cloudFallback?: {
                                whatsappNumberId: string;
                                templateName: string;
                                languageCode: string;
                                parameters: ("customer_name" | "order_number" | "total" | "currency" | "items" | "store_name")[];
                            } | null;
                        };
                        codOnly?: boolean;
                        minimumTotal?: (number | string) | null;
                        sendDelayMinutes?: number;
                        quietHours?: {
                            start: string;
                            end: string;
                        } | null;
                        reminders?: {
                            count: number;
                            afterMinutes: number;
                        };
                        autoCancelAfterMinutes?: number | null;
                        cloudFallback?: {
                            whatsappNumberId: string;
                            templateName: string;
                            languageCode: string;
                            parameters: ("customer_name" | "order_number" | "total" | "currency" | "items" | "store_name")[];
                        } | null;
                        /** @description Overrides per language and kind, merged into the current ones; null removes an override (a kind) or all of a language */
                        templates?: {
                            /** @description This language's changes, or null to remove all of its overrides */
                            ar?: {
                                /** @description The new text, or null to remove this override and use the default again */
                                confirm?: string | null;
                                /** @description The new text, or null to remove this override and use the default again */
                                confirmed?: string | null;
                                /** @description The new text, or null to remove this override and use the default again */
                                cancelled?: string | null;
                                /** @description The new text, or null to remove this override and use the default again */
                                reminder?: string | null;
                                /** @description The new text, or null to remove this override and use the default again */
                                clarify?: string | null;
                            } | null;
                            /** @description This language's changes, or null to remove all of its overrides */
                            en?: {
                                /** @description The new text, or null to remove this override and use the default again */
                                confirm?: string | null;
                                /** @description The new text, or null to remove this override and use the default again */
                                confirmed?: string | null;
                                /** @description The new text, or null to remove this override and use the default again */
                                cancelled?: string | null;
                                /** @description The new text, or null to remove this override and use the default again */
                                reminder?: string | null;
                                /** @description The new text, or null to remove this override and use the default again */
                                clarify?: string | null;
                            } | null;
                            /** @description This language's changes, or null to remove all of its overrides */
                            fr?: {
                                /** @description The new text, or null to remove this override and use the default again */
                                confirm?: string | null;
                                /** @description The new text, or null to remove this override and use the default again */
                                confirmed?: string | null;
                                /** @description The new text, or null to remove this override and use the default again */
                                cancelled?: string | null;
                                /** @description The new text, or null to remove this override and use the default again */
                                reminder?: string | null;
                                /** @description The new text, or null to remove this override and use the default again */
                                clarify?: string | null;
                            } | null;
                        };
                        webhookSecrets?: string[];
                        writeBack?: {
                            [key: string]: unknown;
                        } | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            name: string;
                            /** @enum {string} */
                            platform: "shopify" | "woocommerce" | "salla" | "zid" | "youcan" | "easyorders" | "generic";
                            whatsappNumberId: string | null;
                            defaultCountry: string | null;
                            timezone: string;
                            /** @enum {string} */
                            language: "ar" | "en" | "fr";
                            settings: {
                                codOnly: boolean;
                                minimumTotal: string | null;
                                sendDelayMinutes: number;
                                quietHours: {
                                    start: string;
                                    end: string;
                                } | null;
                                reminders: {
                                    count: number;
                                    afterMinutes: number;
                                };
                                autoCancelAfterMinutes: number | null;
                                cloudFallback: {
                                    whatsappNumberId: string;
                                    templateName: string;
                                    languageCode: string;
                                    parameters: ("customer_name" | "order_number" | "total" | "currency" | "items" | "store_name")[];
                                } | null;
                            };
                            templates: {
                                ar?: {
                                    confirm?: string;
                                    confirmed?: string;
                                    cancelled?: string;
                                    reminder?: string;
                                    clarify?: string;
                                };
                                en?: {
                                    confirm?: string;
                                    confirmed?: string;
                                    cancelled?: string;
                                    reminder?: string;
                                    clarify?: string;
                                };
                                fr?: {
                                    confirm?: string;
                                    confirmed?: string;
                                    cancelled?: string;
                                    reminder?: string;
                                    clarify?: string;
                                };
                            };
                            /** @description Paste this into the platform as the webhook address */
                            webhookUrl: string;
                            /** @description The current signing secret (null for Shopify until the merchant pastes the app secret) */
                            webhookSecret: string | null;
                            /** @description Every secret accepted now (rotation) */
                            webhookSecrets: string[];
                            writeBack: {
                                supported: boolean;
                                configured: boolean;
                                shopDomain?: string;
                                storeUrl?: string;
                            };
                            createdAt: string;
                            updatedAt: string;
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/whatsapp-numbers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's numbers and their health */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                id: string;
                                /** @enum {string} */
                                provider: "linked" | "cloud" | "simulator";
                                phone: string | null;
                                /** @enum {string} */
                                status: "pending_link" | "connected" | "hibernated" | "disconnected" | "logged_out" | "banned";
                                statusReason: string | null;
                                /** @description The QR code to scan with WhatsApp > Linked devices, while linking */
                                qr: string | null;
                                /** @description The same QR code as a PNG data URL */
                                qrDataUrl: string | null;
                                pairingCode: string | null;
                                /** @description Cloud API numbers: the callback URL to register with Meta */
                                webhookUrl: string | null;
                                linkedAt: string | null;
                                lastConnectedAt: string | null;
                                createdAt: string;
                                /** @description WhatsApp keeps the number from connecting until then (a temporary ban, another client on the device); it reconnects by itself */
                                connectPausedUntil: string | null;
                                /** @description WhatsApp keeps the number from writing first to customers until then (463, reach-out timelock): confirmations wait for the customer or go to the Cloud fallback */
                                firstContactPausedUntil: string | null;
                                firstContactPauseReason: string | null;
                                history: {
                                    status: string;
                                    reason: string | null;
                                    at: string;
                                }[];
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Add a WhatsApp number: linked (QR or pairing code), cloud (Meta Cloud API) or simulator */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        provider: "linked" | "cloud" | "simulator";
                        phone?: string;
                        cloud?: {
                            phoneNumberId: string;
                            accessToken: string;
                            appSecret: string;
                            verifyToken: string;
                            businessAccountId?: string;
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            /** @enum {string} */
                            provider: "linked" | "cloud" | "simulator";
                            phone: string | null;
                            /** @enum {string} */
                            status: "pending_link" | "connected" | "hibernated" | "disconnected" | "logged_out" | "banned";
                            statusReason: string | null;
                            /** @description The QR code to scan with WhatsApp > Linked devices, while linking */
                            qr: string | null;
                            /** @description The same QR code as a PNG data URL */
                            qrDataUrl: string | null;
                            pairingCode: string | null;
                            /** @description Cloud API numbers: the callback URL to register with Meta */
                            webhookUrl: string | null;
                            linkedAt: string | null;
                            lastConnectedAt: string | null;
                            createdAt: string;
                            /** @description WhatsApp keeps the number from connecting until then (a temporary ban, another client on the device); it reconnects by itself */
                            connectPausedUntil: string | null;
                            /** @description WhatsApp keeps the number from writing first to customers until then (463, reach-out timelock): confirmations wait for the customer or go to the Cloud fallback */
                            firstContactPausedUntil: string | null;
                            firstContactPauseReason: string | null;
                            history: {
                                status: string;
                                reason: string | null;
                                at: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/whatsapp-numbers/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A number with its status, current QR code or pairing code while linking, and status history */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            /** @enum {string} */
                            provider: "linked" | "cloud" | "simulator";
                            phone: string | null;
                            /** @enum {string} */
                            status: "pending_link" | "connected" | "hibernated" | "disconnected" | "logged_out" | "banned";
                            statusReason: string | null;
                            /** @description The QR code to scan with WhatsApp > Linked devices, while linking */
                            qr: string | null;
                            /** @description The same QR code as a PNG data URL */
                            qrDataUrl: string | null;
                            pairingCode: string | null;
                            /** @description Cloud API numbers: the callback URL to register with Meta */
                            webhookUrl: string | null;
                            linkedAt: string | null;
                            lastConnectedAt: string | null;
                            createdAt: string;
                            /** @description WhatsApp keeps the number from connecting until then (a temporary ban, another client on the device); it reconnects by itself */
                            connectPausedUntil: string | null;
                            /** @description WhatsApp keeps the number from writing first to customers until then (463, reach-out timelock): confirmations wait for the customer or go to the Cloud fallback */
                            firstContactPausedUntil: string | null;
                            firstContactPauseReason: string | null;
                            history: {
                                status: string;
                                reason: string | null;
                                at: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Remove a number: its credentials are deleted at once and its session closed */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/whatsapp-numbers/{id}/pairing-code": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Link by phone number: an 8-character code to enter in WhatsApp > Linked devices > Link with phone number */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        phone: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            pairingCode: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/whatsapp-numbers/{id}/relink": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Link a logged-out, banned or disconnected linked-device number again: its old keys are deleted and it waits for a new QR code or pairing code; stores keep it */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            /** @enum {string} */
                            provider: "linked" | "cloud" | "simulator";
                            phone: string | null;
                            /** @enum {string} */
                            status: "pending_link" | "connected" | "hibernated" | "disconnected" | "logged_out" | "banned";
                            statusReason: string | null;
                            /** @description The QR code to scan with WhatsApp > Linked devices, while linking */
                            qr: string | null;
                            /** @description The same QR code as a PNG data URL */
                            qrDataUrl: string | null;
                            pairingCode: string | null;
                            /** @description Cloud API numbers: the callback URL to register with Meta */
                            webhookUrl: string | null;
                            linkedAt: string | null;
                            lastConnectedAt: string | null;
                            createdAt: string;
                            /** @description WhatsApp keeps the number from connecting until then (a temporary ban, another client on the device); it reconnects by itself */
                            connectPausedUntil: string | null;
                            /** @description WhatsApp keeps the number from writing first to customers until then (463, reach-out timelock): confirmations wait for the customer or go to the Cloud fallback */
                            firstContactPausedUntil: string | null;
                            firstContactPauseReason: string | null;
                            history: {
                                status: string;
                                reason: string | null;
                                at: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Orders, newest first, filtered and searched, with a cursor for the next page */
        get: {
            parameters: {
                query?: {
                    storeId?: string;
                    status?: "received" | "queued" | "sent" | "delivered" | "read" | "confirmed" | "cancelled" | "no_response" | "skipped" | "failed";
                    q?: string;
                    from?: string;
                    to?: string;
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                id: string;
                                storeId: string;
                                platform: string;
                                externalId: string;
                                number: string;
                                /** @description Short code a customer can quote to confirm this order */
                                code: string;
                                /** @enum {string} */
                                status: "received" | "queued" | "sent" | "delivered" | "read" | "confirmed" | "cancelled" | "no_response" | "skipped" | "failed";
                                failureReason: string | null;
                                customerName: string | null;
                                customerPhone: string | null;
                                phoneProblem: string | null;
                                total: string;
                                currency: string;
                                isCod: boolean;
                                createdAt: string;
                                platformCreatedAt: string;
                                updatedAt: string;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
            };
        };
        put?: never;
        /** Submit an order from a custom integration (normalized order JSON plus storeId); a repeat is answered 200 and changes nothing */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        platform: "shopify" | "woocommerce" | "salla" | "zid" | "youcan" | "easyorders" | "generic";
                        externalId: string;
                        number: string;
                        /** Format: date-time */
                        createdAt: string;
                        currency: string;
                        total: string;
                        paymentMethod: string | null;
                        isCod: boolean;
                        locale: string | null;
                        customer: {
                            name: string | null;
                            phone: string | null;
                            phoneRaw: string | null;
                            phoneProblem: ("missing" | "not_mobile" | "invalid") | null;
                        };
                        shippingAddress: {
                            line1: string | null;
                            line2: string | null;
                            city: string | null;
                            region: string | null;
                            postalCode: string | null;
                            countryCode: string | null;
                        } | null;
                        items: {
                            name: string;
                            variant: string | null;
                            sku: string | null;
                            quantity: number;
                            unitPrice: string;
                        }[];
                        storeId: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            /** @enum {string} */
                            status: "received" | "queued" | "sent" | "delivered" | "read" | "confirmed" | "cancelled" | "no_response" | "skipped" | "failed";
                            isNew: boolean;
                        };
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            /** @enum {string} */
                            status: "received" | "queued" | "sent" | "delivered" | "read" | "confirmed" | "cancelled" | "no_response" | "skipped" | "failed";
                            isNew: boolean;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/analytics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Totals per status, confirmation/cancellation/no-response rates, median time to reply, credits used, and a per-day series (default: last 30 days) */
        get: {
            parameters: {
                query?: {
                    storeId?: string;
                    from?: string;
                    to?: string;
                    /** @description IANA time zone whose calendar days `perDay` counts in (default UTC) */
                    timezone?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            from: string;
                            to: string;
                            /** @description The time zone of the `perDay` dates */
                            timezone: string;
                            /** @description Orders received in the window, per status and in all */
                            totals: {
                                received: number;
                                queued: number;
                                sent: number;
                                delivered: number;
                                read: number;
                                confirmed: number;
                                cancelled: number;
                                no_response: number;
                                skipped: number;
                                failed: number;
                                all: number;
                            };
                            /** @description Of the orders whose customer was asked (sent or later): the share confirmed, 0..1; null when none was asked */
                            confirmationRate: number | null;
                            /** @description The share cancelled, as confirmationRate */
                            cancellationRate: number | null;
                            /** @description The share left without an answer, as confirmationRate */
                            noResponseRate: number | null;
                            medianTimeToReplySeconds: number | null;
                            /** @description Credits consumed less those refunded in the window (with storeId, that store's) */
                            creditsUsed: number;
                            /** @description Calendar days (in timezone) that had orders, oldest first */
                            perDay: {
                                date: string;
                                received: number;
                                confirmed: number;
                                cancelled: number;
                                noResponse: number;
                                failed: number;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orders/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Server-Sent Events: one `{orderId, status, at}` per order or message status change of the account */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orders/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One order with its message thread and status timeline */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            storeId: string;
                            platform: string;
                            externalId: string;
                            number: string;
                            /** @description Short code a customer can quote to confirm this order */
                            code: string;
                            /** @enum {string} */
                            status: "received" | "queued" | "sent" | "delivered" | "read" | "confirmed" | "cancelled" | "no_response" | "skipped" | "failed";
                            failureReason: string | null;
                            customerName: string | null;
                            customerPhone: string | null;
                            phoneProblem: string | null;
                            total: string;
                            currency: string;
                            isCod: boolean;
                            createdAt: string;
                            platformCreatedAt: string;
                            updatedAt: string;
                            customerPhoneRaw: string | null;
                            locale: string | null;
                            paymentMethod: string | null;
                            shippingAddress: {
                                [key: string]: unknown;
                            } | null;
                            items: unknown[];
                            sendAt: string | null;
                            repliedAt: string | null;
                            messages: {
                                id: string;
                                /** @enum {string} */
                                direction: "outbound" | "inbound";
                                kind: string;
                                text: string | null;
                                status: string;
                                error: string | null;
                                createdAt: string;
                                sentAt: string | null;
                                deliveredAt: string | null;
                                readAt: string | null;
                            }[];
                            events: {
                                status: string;
                                cause: string;
                                at: string;
                            }[];
                            /** @description When WhatsApp refused to message a cold contact: a wa.me link for the store’s thank-you page */
                            customerInitiatedLink: string | null;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orders/{id}/resend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Ask the customer again (takes one credit) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            status: "queued";
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orders/{id}/decision": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Confirm or cancel an order by hand; written back to the store like a customer reply */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "confirmed" | "cancelled";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            /** @enum {string} */
                            status: "confirmed" | "cancelled";
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/billing": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's plan, balance, the plans on offer, the credit ledger and invoices */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            configured: boolean;
                            plan: string;
                            balance: number;
                            plans: {
                                id: string;
                                name: string;
                                monthlyCredits: number;
                                /** @description Decimal string in the currency’s minor digits */
                                price: string;
                                currency: string;
                                stripePriceId: string | null;
                            }[];
                            /** @description Latest first */
                            ledger: {
                                id: string;
                                /** @description free_allowance, monthly_grant, top_up, consumption, refund or adjustment */
                                kind: string;
                                credits: number;
                                reason: string;
                                createdAt: string;
                            }[];
                            /** @description Latest first */
                            invoices: {
                                id: string;
                                amountPaid: string;
                                currency: string;
                                status: string;
                                url: string | null;
                                createdAt: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/billing/checkout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A Stripe Checkout URL subscribing the account to a plan (503 billing_not_configured without Stripe) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        planId: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            url: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/billing/top-up": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A Stripe Checkout URL buying credits once (100 to 100000) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        credits: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            url: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/billing/portal": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A Stripe customer portal URL (payment methods, invoices, plan changes, cancellation) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            url: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/hooks/stripe": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Stripe billing events, verified with Stripe-Signature (400 bad signature; 200 for replays and ignored types) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            received: true;
                            /** @enum {string} */
                            outcome: "applied" | "duplicate" | "ignored";
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's orders with messages and events, streamed as JSON, NDJSON or CSV */
        get: {
            parameters: {
                query?: {
                    format?: "json" | "ndjson" | "csv";
                    storeId?: string;
                    from?: string;
                    to?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/customers/{phone}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Erase one customer of the account: orders, messages, events, queued jobs, WhatsApp session keys */
        delete: {
            parameters: {
                query?: {
                    storeId?: string;
                };
                header?: never;
                path: {
                    phone: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            deleted: {
                                orders: number;
                                messages: number;
                            };
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/hooks/whatsapp-cloud/{numberId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Meta's webhook verification (hub.challenge) */
        get: {
            parameters: {
                query?: {
                    "hub.mode"?: string;
                    "hub.verify_token"?: string;
                    "hub.challenge"?: string;
                };
                header?: never;
                path: {
                    numberId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        /** Cloud API message statuses and customer replies, signed with X-Hub-Signature-256 */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    numberId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/hooks/{platform}/{storeId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A store platform delivers an order event (200 also for duplicates and ignored topics; 401 bad signature; 404 unknown store) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    platform: "shopify" | "woocommerce" | "salla" | "zid" | "youcan" | "easyorders" | "generic";
                    storeId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            received: true;
                            outcome: string;
                            orderId?: string;
                            status?: string;
                            reason?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: never;
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
